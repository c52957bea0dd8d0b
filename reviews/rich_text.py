"""Rich text links to pages, written only for readers who may be told of them.

Wagtail expands ``<a linktype="page" id="…">`` into the page's URL wherever
rich text is shown: templates, API ``rich_text_format=html`` and, through the
editor's contentstate conversion, ``markdown``. A draft's or a restricted
page's slug can itself be a spoiler, and a link is a listing: a link to a
page the reader may not be told of (:func:`reviews.visibility.may_name_page`:
a draft, an unpublished or restricted page, or one below an unpublished
section) becomes plain text, exactly as Wagtail renders a link to a deleted
page. The handlers get no request; the reader is the one
:func:`reviews.visibility.current_user` names, and nobody (the anonymous
reader) outside a request.

The APIs' database formats (``db_html``, Wagtail's default, and
``db_markdown``) resolve no link, but name each linked page by its id: the
ids of drafts and restricted pages are nobody else's either, so such a link
keeps its words and loses its page there too (:func:`visible_db_html`),
before any API format is written.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from html import escape as escape_html
from typing import Any

from bs4 import (
    BeautifulSoup,
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ParserRejectedMarkup,
    ProcessingInstruction,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape, strip_tags
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from draftjs_exporter.dom import DOM
from wagtail.admin.rich_text.converters.contentstate import link_entity
from wagtail.admin.rich_text.converters.html_to_contentstate import (
    ExternalLinkElementHandler,
    PageLinkElementHandler,
)
from wagtail.blocks import ListBlock, RichTextBlock, StreamBlock, StructBlock
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.formats import get_image_formats
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler
from wagtail.rich_text.rewriters import extract_attrs
from wagtail.whitelist import check_url

from .content_version import read_once
from .object_ids import as_id
from .visibility import current_user, may_name_page


class VisiblePageLinkHandler(PageLinkHandler):
    """Wagtail's page link, or a bare ``<a>`` (no href) for a page the reader
    may not be told of, or an id no page can have."""

    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list[Any]:
        """Wagtail's lookup, with an id no page can have (``abc``, past the
        column's range) found missing instead of failing the whole lookup:
        one such link made its page a 500 and every API listing of it a 400."""
        ids = [as_id(attrs.get("id"), Page) for attrs in attrs_list]
        found = iter(super().get_many([{"id": key} for key in ids if key is not None]))
        return [next(found) if key is not None else None for key in ids]

    @classmethod
    def extract_references(cls, attrs: dict):
        """Wagtail's, but a link without an id refers to nothing (Wagtail's
        read ``attrs["id"]`` and failed the publish's reference index)."""
        if as_id(attrs.get("id"), Page) is not None:
            yield from super().extract_references(attrs)

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        user = current_user()
        with read_once():
            return [
                f'<a href="{escape(page.localized.url)}">'
                if page is not None and may_name_page(page, user)
                else "<a>"
                for page in cls.get_many(attrs_list)
            ]


#: How the editor's contentstate names a linked page the reader may not be
#: told of: an opaque token in place of its id (:func:`hidden_page_token`).
HIDDEN_PAGE = "hidden:"
_PAD_SALT = "reviews.rich_text.hidden-page-link.pad"
_MAC_SALT = "reviews.rich_text.hidden-page-link.mac"
_NONCE_BYTES, _ID_BYTES, _MAC_BYTES = 16, 8, 16


def _pad(nonce: bytes) -> bytes:
    return salted_hmac(_PAD_SALT, nonce, algorithm="sha256").digest()[:_ID_BYTES]


def _mac(sealed: bytes) -> bytes:
    return salted_hmac(_MAC_SALT, sealed, algorithm="sha256").digest()[:_MAC_BYTES]


def hidden_page_token(page_id: int) -> str:
    """What the editor's contentstate holds for a link to ``page_id`` when
    the reader may not be told of it: the id sealed with the site's secret
    key, under a fresh random nonce, so that no two tokens of one page are
    alike and none names a page to anyone without the key.

    The id is XORed with a pad that a keyed hash of the nonce gives, and
    the nonce and the result are then signed with another keyed hash
    (encrypt-then-MAC, both from Django's ``salted_hmac``). Written here
    rather than taken from a library: Django signs but does not encrypt,
    and a cipher package would be a dependency for eight bytes. A keyed hash
    of the id alone, the first version, was the same token for every link
    to a page: a member who linked ids herself learnt which id an editor's
    link hid, and looking a token up meant hashing every page id."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = nonce + bytes(
        a ^ b
        for a, b in zip(
            # Signed: a stored id may be any the database's column holds.
            page_id.to_bytes(_ID_BYTES, "big", signed=True),
            _pad(nonce),
            strict=True,
        )
    )
    return HIDDEN_PAGE + urlsafe_base64_encode(sealed + _mac(sealed))


def hidden_page_id(token: str) -> int | None:
    """The page id a :func:`hidden_page_token` seals, or None for a token
    this site's key did not make: no query, whatever a form holds."""
    if not token.startswith(HIDDEN_PAGE):
        return None
    encoded = token[len(HIDDEN_PAGE) :]
    try:
        raw = urlsafe_base64_decode(encoded)
    except ValueError:
        return None
    # Django's decoding skips what is not base64 and pads as it likes: one
    # token, one spelling.
    if urlsafe_base64_encode(raw) != encoded:
        return None
    if len(raw) != _NONCE_BYTES + _ID_BYTES + _MAC_BYTES:
        return None
    sealed, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not constant_time_compare(_mac(sealed), mac):
        return None
    nonce, cipher = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    return int.from_bytes(
        bytes(a ^ b for a, b in zip(cipher, _pad(nonce), strict=True)),
        "big",
        signed=True,
    )


class VisiblePageLinkElementHandler(PageLinkElementHandler):
    """The editor's and Markdown's page link, as Wagtail's, but for a page
    the reader may not be told of: no URL, no parent and no id, only a
    :func:`hidden_page_token`, which :func:`visible_link_entity` turns back
    into the id when the text is saved. A member editing her review keeps
    the link an editor put there to a draft, and is not told which page it
    is. Its id is a string, so Draftail treats it as a page link (shown as
    a broken one; editing it opens the page chooser)."""

    def get_attribute_data(self, attrs: dict) -> dict:
        key = as_id(attrs.get("id"), Page)
        if key is None:
            return {"id": attrs.get("id"), "url": None, "parentId": None}
        looked_up = _looked_up.get()
        if looked_up is not None and key in looked_up:
            data = looked_up[key]
            if data is None:
                return {"id": hidden_page_token(key), "url": None, "parentId": None}
            return dict(data)
        page = Page.objects.filter(pk=key).first()
        user = current_user()
        # A link to a page that is gone is written alike: a reader who may
        # not be told of a page may not learn that it exists either.
        if page is None or not may_name_page(page, user):
            return {"id": hidden_page_token(key), "url": None, "parentId": None}
        # Wagtail's own data, from the page already read (its handler reads
        # it again), with the parent only where the reader may be told of it.
        parent = page.get_parent()
        try:
            specific = page.specific
        except Page.DoesNotExist:
            # Its specific row gone: the page as it stands, as the lookup
            # of a text's links together reads it (``.specific()``).
            specific = page
        return {
            "id": page.id,
            "url": specific.url,
            "parentId": (
                parent.pk
                if parent is not None and may_name_page(parent, user)
                else None
            ),
        }


#: The pages the value being converted links to, looked up together
#: (:func:`page_links_looked_up`): page id → the link's data, or None for
#: a page the reader may not be told of (or none at all), whose token is
#: made afresh for each link.
_looked_up: ContextVar[dict[int, dict | None] | None] = ContextVar(
    "reviews_page_links_looked_up", default=None
)
#: Ids looked up per query: under SQLite's limit on a statement's variables.
_LOOKUP_BATCH = 500


@contextmanager
def page_links_looked_up(html: str) -> Iterator[None]:
    """While ``html`` is converted one link at a time (the editor's
    contentstate, the Markdown formats), have
    :class:`VisiblePageLinkElementHandler` find the pages it links to in a
    few queries for all of them.

    Wagtail's handler reads each linked page, its specific page and its
    parent on its own: four queries a link, so a review of 20,000 links
    took a minute to convert, past the server's timeout, for every reader
    of its Markdown. The HTML formats already look their links up together
    (``expand_db_attributes_many``). The ids are read as Wagtail's own
    pattern reads them (``FIND_A_TAG``); a link spelled otherwise is still
    looked up, on its own, when the converter meets it."""
    token = _looked_up.set(_links_data(_linked_page_ids(html)))
    try:
        yield
    finally:
        _looked_up.reset(token)


def _linked_page_ids(html: str) -> set[int]:
    ids: set[int] = set()
    if "linktype" not in html:
        return ids
    for _start, attributes in _matches(html, "<a", ">"):
        # Wagtail's attribute pattern is slow on a long run (_AsWagtailReads).
        if len(attributes) > _AsWagtailReads.MAX_ATTRIBUTES:
            continue
        attrs = extract_attrs(attributes)
        if attrs.get("linktype") == "page":
            key = as_id(attrs.get("id"), Page)
            if key is not None:
                ids.add(key)
    return ids


def _links_data(ids: set[int]) -> dict[int, dict | None]:
    """What :meth:`PageLinkElementHandler.get_attribute_data` gives for
    each of ``ids``, for the reader, or None where the reader may not be
    told of the page."""
    user = current_user()
    found: dict[int, dict | None] = dict.fromkeys(ids)
    wanted = sorted(ids)
    with read_once():
        for start in range(0, len(wanted), _LOOKUP_BATCH):
            _look_up(wanted[start : start + _LOOKUP_BATCH], user, found)
    return found


def _look_up(ids: list[int], user: Any, found: dict[int, dict | None]) -> None:
    """:func:`_links_data` for one batch of ids."""
    pages = list(Page.objects.filter(pk__in=ids).specific())
    parent_paths = {page.path[: -Page.steplen] for page in pages}
    # The chooser opens the link's page among its siblings, but a parent the
    # reader may not be told of (the unpublished folder above another Site's
    # root) goes unnamed.
    parents = {
        parent.path: parent.pk
        for parent in Page.objects.filter(path__in=parent_paths)
        if may_name_page(parent, user)
    }
    for page in pages:
        if may_name_page(page, user):
            found[page.pk] = {
                "id": page.id,
                "url": page.url,
                "parentId": parents.get(page.path[: -Page.steplen]),
            }


def visible_link_entity(props: dict) -> Any:
    """Wagtail's ``link_entity`` (contentstate to the database format), with
    a :func:`hidden_page_token` written back as the page's id. A token that
    names no page leaves the link's words."""
    page = props.get("id")
    if isinstance(page, str) and page.startswith(HIDDEN_PAGE):
        page_id = hidden_page_id(page)
        attributes = {} if page_id is None else {"linktype": "page", "id": page_id}
        return DOM.create_element("a", attributes, props["children"])
    return link_entity(props)


def use_visible_page_links(features) -> None:
    """Put the handlers above in place of Wagtail's (a
    ``register_rich_text_features`` hook that runs after Wagtail's own)."""
    features.register_link_type(VisiblePageLinkHandler)
    features.register_converter_rule(
        "contentstate",
        "link",
        {
            "from_database_format": {
                "a[href]": ExternalLinkElementHandler("LINK"),
                'a[linktype="page"]': VisiblePageLinkElementHandler("LINK"),
            },
            "to_database_format": {"entity_decorators": {"LINK": visible_link_entity}},
        },
    )


#: What may hold a link or an embed: without any of these (in any case),
#: a value is sent as stored. ``href``: an external link's address may be a
#: page link in another spelling (``wagtail://page?id=…`` is the Markdown
#: formats' own), and an attribute's name cannot be spelled with entities.
_MARKS = ("linktype", "href", "<embed", "<!", "<?")
#: Markup that is not an element or its text: none of it belongs in rich
#: text, and what is inside it is stored uncleaned (Wagtail's input cleaning
#: writes ``<![if …]>`` back as ``<?if …?>``, with whatever follows inside).
_NOT_CONTENT = (Comment, Declaration, Doctype, CData, ProcessingInstruction)
#: Elements whose text is written as it was read, not as text.
_NOT_TEXT = frozenset({"script", "style", "template"})
#: The only attribute the club's rich text puts on an element but a link.
_BLOCK_KEY = "data-block-key"
#: Anything from a ``<`` to the next ``>`` (or the end): what is left is text.
_ANY_TAG = re.compile(r"<[^>]*(?:>|$)")
#: An element's name as HTML writes one.
_TAG_NAME = re.compile(r"[a-z][a-z0-9]*")
#: A repeated attribute: every reader keeps another one, so none is kept.
_REPEATED = "\x00repeated"

#: :func:`visible_db_html`'s reader when none is given: the request's.
_CURRENT_READER: Any = object()


def _repeated(attrs: dict, key: str, value: str) -> None:
    attrs[key] = _REPEATED


def _written(attrs: dict, names: tuple[str, ...]) -> dict[str, str] | None:
    """``attrs`` less every attribute but ``names``, in the order written;
    None if one kept is repeated (every reader keeps another one)."""
    kept = {name: value for name, value in attrs.items() if name in names}
    if any(not isinstance(value, str) or value == _REPEATED for value in kept.values()):
        return None
    return kept


def _link_attributes(attrs: dict) -> dict[str, str]:
    """An external link's or a document link's attributes, or none (its
    words stay). A page link is decided with the others, by one query."""
    linktype = attrs.get("linktype")
    if linktype is None:
        # An address the input cleaning would refuse (``javascript:``, and
        # ``wagtail:``, which the Markdown formats read as a page link).
        kept = _written(attrs, ("href",))
        if not kept or check_url(kept["href"]) is None:
            return {}
        return kept
    if linktype == "document":
        # Wagtail looks the id up, and one no row can have failed the
        # whole lookup.
        kept = _written(attrs, ("linktype", "id"))
        if kept is None or as_id(kept.get("id"), get_document_model()) is None:
            return {}
        return kept
    return {}


def _embed_attributes(attrs: dict) -> dict[str, str] | None:
    """What an embed keeps, or None when it goes: an image with an id an
    image can have and a format the site defines (Wagtail's expansion fails
    on any other), or a media embed of a web address. Wagtail expands only
    these two kinds."""
    embedtype = attrs.get("embedtype")
    if embedtype == "image":
        kept = _written(attrs, ("alt", "embedtype", "format", "id"))
        names = {image_format.name for image_format in get_image_formats()}
        if (
            kept is None
            or kept.get("format") not in names
            or as_id(kept.get("id"), get_image_model()) is None
        ):
            return None
        return kept
    if embedtype == "media":
        kept = _written(attrs, ("embedtype", "url"))
        if kept is None or not kept.get("url", "").startswith(("https://", "http://")):
            return None
        return kept
    return None


_WORD = re.compile(r"\w")


def _matches(html: str, opening: str, closing: str) -> Iterator[tuple[int, str]]:
    """``(start, attributes)`` of each match of ``<opening(\\b[^>]*)closing``
    in ``html``, as ``re.finditer`` finds them, in one pass.

    The patterns' ``[^>]*`` runs to the first ``>`` after the tag's name, so
    a match ends there or not at all; but ``finditer`` runs it again from
    each ``<opening`` it finds, and a value of many without a ``>`` (which
    the input cleaning keeps inside ``<?…>``) took minutes. Here the first
    ``>`` is found once for all of them."""
    position, after = 0, -1  # after: the first ">" at or after position
    while (start := html.find(opening, position)) != -1:
        name_end = start + len(opening)
        if _WORD.match(html, name_end):  # no \b: ``<abbr``, ``<embedded``
            position = start + 1
            continue
        if after < name_end:
            after = html.find(">", name_end)
        if after == -1:
            return
        end = after + 1 - len(closing)
        if end >= name_end and html.startswith(closing, end):
            yield start, html[name_end:end]
            position = after + 1
        else:
            position = start + 1


def wagtail_tag_matches(html: str) -> Iterator[tuple[int, str]]:
    """Where Wagtail's ``FIND_A_TAG`` and ``FIND_EMBED_TAG`` match in
    ``html`` and what attributes they read there, as ``finditer`` finds
    them, in linear time (:func:`_matches`)."""
    yield from _matches(html, "<a", ">")
    yield from _matches(html, "<embed", "/>")


class _AsWagtailReads:
    """Whether Wagtail reads an element of the stored value as the parser
    did: the same start tag, at the same place, naming the same medium.

    Who may put an image or a document in a text is checked on its way in,
    and what a published page uses recorded, from the stored value by
    Wagtail's reference extraction: its patterns, not a parser
    (``FIND_EMBED_TAG``, ``FIND_A_TAG``). They do not read what the parser
    reads inside ``<?if a>b <EMBED …> ?>`` (a processing instruction that the
    parser ends at the first ``>``, which Wagtail's input cleaning writes
    back from ``<![if …]>``), an upper-case tag or an embed without ``/>``:
    such a medium was never checked, so it is not sent."""

    #: An embed's or a document link's attributes are short. Wagtail's
    #: attribute pattern takes time growing with the square of a long run
    #: of them, so a longer one is taken as not read (its medium not sent).
    MAX_ATTRIBUTES = 2000

    def __init__(self, html: str) -> None:
        self._html = html
        self._reads: dict[int, str] | None = None
        self._line_starts: list[int] = []

    def _read(self) -> dict[int, str]:
        if self._reads is None:
            self._reads = dict(wagtail_tag_matches(self._html))
            self._line_starts = [0] + [
                match.end() for match in re.finditer("\n", self._html)
            ]
        return self._reads

    def same(self, tag: Any, kept: dict[str, str]) -> bool:
        reads = self._read()
        if tag.sourceline is None or tag.sourcepos is None:
            return False
        attributes = reads.get(self._line_starts[tag.sourceline - 1] + tag.sourcepos)
        if attributes is None or len(attributes) > self.MAX_ATTRIBUTES:
            return False
        read = extract_attrs(attributes)
        return all(
            as_id(read.get(name), Page) == as_id(value, Page)
            if name == "id"
            else read.get(name) == value
            for name, value in kept.items()
            if name in ("embedtype", "linktype", "id", "url")
        )


def _write(soup: BeautifulSoup, kept: dict[int, dict[str, str] | None]) -> str:
    """The parsed value written back as Wagtail writes rich text (text
    escaped with ``&``, ``<`` and ``>``; every attribute double-quoted and
    escaped with its quotes; void elements as ``<br/>``), with each element's
    attributes from ``kept`` (by ``id()``; None: the element goes) and only
    elements and their text.

    Written here, in one pass over the tree, rather than by removing nodes
    from it and letting bs4 write it: each removal scans its siblings, which
    made a value of many comments take seconds; and bs4 single-quotes an
    attribute value that holds a double quote, which Wagtail's own
    attribute pattern reads as other attributes."""
    out: list[str] = []
    # (node, True) closes an element whose children have been written. A
    # stack, not recursion: nesting has no limit.
    stack: list[tuple[Any, bool]] = [(node, False) for node in reversed(soup.contents)]
    while stack:
        node, closing = stack.pop()
        if closing:
            out.append(f"</{node.name}>")
        elif isinstance(node, NavigableString):
            if not isinstance(node, _NOT_CONTENT):
                out.append(escape_html(str(node), quote=False))
        elif node.name in _NOT_TEXT:
            continue
        elif not _TAG_NAME.fullmatch(node.name):
            # A name only a parser's error recovery makes (``<a<linktype=…``):
            # its contents stay.
            stack.extend((child, False) for child in reversed(node.contents))
        else:
            attrs = kept.get(id(node), {})
            if attrs is None:
                continue
            written = "".join(
                f' {name}="{escape_html(value)}"' for name, value in attrs.items()
            )
            if node.is_empty_element:
                out.append(f"<{node.name}{written}/>")
            else:
                out.append(f"<{node.name}{written}>")
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
    return "".join(out)


def visible_db_html(html: str, user: Any = _CURRENT_READER) -> str:
    """``html``, in Wagtail's database format, as the reader may have it:
    each link to a page they may not be told of, or with an id no page can
    have, is a bare ``<a>`` (its words stay, its page id goes, as the HTML
    formats drop the address).

    The database formats send the stored text itself, and rounds of attack
    found spellings that one reader takes for a link and another does not
    (a tag inside a comment, a processing instruction or another attribute,
    ``x:id``, a quote inside an unquoted value…). So a value that may hold a
    link is not searched but rebuilt: parsed, and written back from what was
    parsed (:func:`_write`), with nothing in it but elements and their text.
    Then what is checked is exactly what is sent:

    - comments, processing instructions, declarations and CDATA go, with
      whatever is inside them (Wagtail's input cleaning does not look there);
    - a page link keeps ``linktype`` and ``id`` and nothing else, and only
      when the id names a page the reader may be told of; an external link
      keeps only an ``href`` the input cleaning would keep; other elements
      keep only Wagtail's ``data-block-key``; a repeated attribute counts as
      none;
    - a document link and an image or media embed keep the attributes
      Wagtail writes for them, as an image block keeps its image: who may
      put media in a text is the writes' rule (a member, only what she may
      see). One Wagtail's expansion would fail on (an id no row can have,
      an image format the site does not define) goes, as does a link or an
      embed of any other type.

    A value without ``linktype``, ``href``, ``<embed``, ``<!`` or ``<?``
    holds none of this and is sent as stored. The reader is ``user`` (None:
    an anonymous one), else the request's.
    """
    lowered = html.lower()
    if not any(mark in lowered for mark in _MARKS):
        return html
    try:
        soup = BeautifulSoup(html, "html.parser", on_duplicate_attribute=_repeated)
    except (AssertionError, ValueError, ParserRejectedMarkup):
        # Markup Python's parser gives up on (``<![foo[``): its words, as text.
        return escape(_ANY_TAG.sub("", html))
    kept: dict[int, dict[str, str] | None] = {}
    links: list[tuple[Any, int | None]] = []
    as_read = _AsWagtailReads(html)
    for tag in soup.find_all(True):
        if tag.name == "embed":
            embed = _embed_attributes(tag.attrs)
            kept[id(tag)] = embed if embed and as_read.same(tag, embed) else None
        elif tag.name != "a":
            key = tag.attrs.get(_BLOCK_KEY)
            kept[id(tag)] = (
                {_BLOCK_KEY: key} if isinstance(key, str) and key.isalnum() else {}
            )
        elif tag.attrs.get("linktype") == "page":
            links.append((tag, as_id(tag.attrs.get("id"), Page)))
        else:
            link = _link_attributes(tag.attrs)
            medium = "linktype" in link
            kept[id(tag)] = link if not medium or as_read.same(tag, link) else {}
    if links:
        pages = Page.objects.in_bulk([key for _, key in links if key is not None])
        if user is _CURRENT_READER:
            user = current_user()
        with read_once():
            _keep_visible_links(links, pages, user, kept)
    return _write(soup, kept)


def _keep_visible_links(
    links: list[tuple[Any, int | None]],
    pages: dict[int, Page],
    user: Any,
    kept: dict[int, dict[str, str] | None],
) -> None:
    """What :func:`visible_db_html` keeps of each page link."""
    for tag, page_id in links:
        page = pages.get(page_id) if page_id is not None else None
        if page is None or not may_name_page(page, user):
            kept[id(tag)] = {}
            continue
        # In the order written (Markdown input writes ``id`` first).
        kept[id(tag)] = {
            name: "page" if name == "linktype" else str(page.pk)
            for name in tag.attrs
            if name in ("linktype", "id")
        }


def _visible_strings(data: Any, user: Any) -> Any:
    """Every string in ``data``, however deep, written by
    :func:`visible_db_html`: for stored values no block definition reads."""
    if isinstance(data, str):
        return visible_db_html(data, user)
    if isinstance(data, list):
        return [_visible_strings(item, user) for item in data]
    if isinstance(data, dict):
        return {key: _visible_strings(value, user) for key, value in data.items()}
    return data


def map_rich_text(
    block: Any,
    data: Any,
    rich_text: Callable[[str], Any],
    unknown: Callable[[Any], Any],
) -> Any:
    """StreamField data as stored (lists and dicts) for ``block`` (the
    field's ``stream_block``), with ``rich_text`` applied to each rich text
    value in it, however deep, and ``unknown`` to a value of a type the block
    no longer defines. Other text (a heading, a quote) is left as written:
    it is not markup."""
    if isinstance(block, RichTextBlock):
        return rich_text(data) if isinstance(data, str) else data
    if isinstance(block, StreamBlock) and isinstance(data, list):
        written = []
        for item in data:
            child = (
                block.child_blocks.get(item.get("type"))
                if isinstance(item, dict)
                else None
            )
            if child is None or "value" not in item:
                written.append(unknown(item))
            else:
                value = map_rich_text(child, item["value"], rich_text, unknown)
                written.append({**item, "value": value})
        return written
    if isinstance(block, ListBlock) and isinstance(data, list):
        child = block.child_block
        return [
            {**item, "value": map_rich_text(child, item["value"], rich_text, unknown)}
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item
            else map_rich_text(child, item, rich_text, unknown)
            for item in data
        ]
    if isinstance(block, StructBlock) and isinstance(data, dict):
        return {
            name: map_rich_text(block.child_blocks[name], value, rich_text, unknown)
            if name in block.child_blocks
            else unknown(value)
            for name, value in data.items()
        }
    return data


def visible_stream_data(block: Any, data: Any, user: Any) -> Any:
    """StreamField data as stored for ``block``, with each rich text value
    in it written by :func:`visible_db_html` for ``user``, and every string
    of a value of a type the block no longer defines."""
    return map_rich_text(
        block,
        data,
        lambda value: visible_db_html(value, user),
        lambda value: _visible_strings(value, user),
    )


#: Markup that is not content, which no rich text of the club's holds:
#: Wagtail's input cleaning keeps what is inside it as it was written.
NOT_CONTENT_MARKS = ("<!", "<?")


def holds_markup_that_is_not_content(block: Any, data: Any) -> bool:
    """Whether a rich text value in StreamField ``data`` (as stored, for
    ``block``) holds a comment, a processing instruction, a declaration or
    CDATA. Wagtail's input cleaning passes what is inside them through
    uncleaned (``<![if …]>`` comes back as ``<?if …?>``), which every round
    of attack on the rich text filter used; and Wagtail's patterns, which
    the writes' media check runs, take minutes over some of it."""
    found = []

    def check(value: str) -> str:
        found.append(any(mark in value for mark in NOT_CONTENT_MARKS))
        return value

    map_rich_text(block, data, check, lambda value: value)
    return any(found)


class _VisibleLinksRewriter:
    """Wagtail's rewriter of stored rich text into HTML, given the text with
    :func:`visible_db_html` applied first: Wagtail's pattern reads only its
    own spelling of a link, and passes any other through as it is, page id
    and all. The references Wagtail indexes are read from the text as
    stored."""

    def __init__(self, rewriter: Any) -> None:
        self._rewriter = rewriter

    def __call__(self, html: str) -> str:
        return self._rewriter(visible_db_html(html))

    def extract_references(self, html: str):
        return self._rewriter.extract_references(html)


def use_visible_links_in_html() -> None:
    """Make every expansion of rich text into HTML (pages, emails, the API's
    ``html`` format) start from :func:`visible_db_html`.

    Wagtail's ``expand_db_html`` asks ``wagtail.rich_text.get_rewriter`` for
    its rewriter at each call, so that function is replaced; should a
    Wagtail upgrade rename it, this fails loudly at start-up.
    """
    import wagtail.rich_text as wagtail_rich_text

    original = getattr(wagtail_rich_text, "get_rewriter", None)
    if original is None:
        raise ImproperlyConfigured(
            "wagtail.rich_text.get_rewriter is gone: rich text in HTML would "
            "name pages the reader may not see."
        )
    if getattr(original, "visible_pages_only", False):
        return

    @functools.cache
    def get_rewriter() -> _VisibleLinksRewriter:
        return _VisibleLinksRewriter(original())

    get_rewriter.visible_pages_only = True  # type: ignore[attr-defined]
    wagtail_rich_text.get_rewriter = get_rewriter


#: Wagtail's serialisers of the APIs' rich text formats.
_API_SERIALISERS = (
    "_serialize_db_html",
    "_serialize_db_markdown",
    "_serialize_markdown",
)


def use_visible_database_formats() -> None:
    """Make the API's rich text formats that do not expand into HTML start
    from :func:`visible_db_html` (``html`` does: :func:`use_visible_links_in_html`).

    Wagtail's ``APIRichText`` serialises every rich text value of both APIs
    and has no hook for a format's output, so its serialisers are wrapped:
    the database formats need it for every hidden link, Markdown for the
    spellings Wagtail's conversion reads and its handlers do not. Should a Wagtail
    upgrade rename them, this fails loudly at start-up rather than letting
    the ids through.
    """
    from wagtail.api.rich_text import APIRichText

    originals = {name: APIRichText.__dict__.get(name) for name in _API_SERIALISERS}
    if any(not isinstance(original, staticmethod) for original in originals.values()):
        raise ImproperlyConfigured(
            "wagtail.api.rich_text.APIRichText's serialisers are gone: the APIs "
            "would name pages the reader may not see."
        )
    for name, original in originals.items():
        serialize = original.__func__  # type: ignore[union-attr]
        if getattr(serialize, "visible_pages_only", False):
            continue

        def visible(
            value: str, *, features=None, _serialize=serialize, _name=name
        ) -> Any:
            shown = visible_db_html(value)
            if "markdown" not in _name:
                return _serialize(shown, features=features)
            try:
                with page_links_looked_up(shown):
                    return _serialize(shown, features=features)
            except Exception:
                # Wagtail's Markdown conversion fails on markup its editor
                # never writes: it asserts that tags match, and the exporter
                # raises on a link inside a link (which the input cleaning
                # keeps) or a lone ``<i>``. Each failed the response, a 500
                # for every listing of it. Its words still go, as text.
                return strip_tags(shown)

        visible.visible_pages_only = True  # type: ignore[attr-defined]
        setattr(APIRichText, name, staticmethod(visible))
