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
from html import unescape
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape, strip_tags
from wagtail.admin.rich_text.converters.contentstate import link_entity
from wagtail.admin.rich_text.converters.html_to_contentstate import (
    ExternalLinkElementHandler,
    PageLinkElementHandler,
)
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

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
        return [
            f'<a href="{escape(page.localized.url)}">'
            if page is not None and may_name_page(page, user)
            else "<a>"
            for page in cls.get_many(attrs_list)
        ]


class VisiblePageLinkElementHandler(PageLinkElementHandler):
    """The editor's and Markdown's page link: no URL, and so no slug, for a
    page the reader may not be told of (the link keeps its id, so editing it
    loses nothing)."""

    def get_attribute_data(self, attrs: dict) -> dict:
        key = as_id(attrs.get("id"), Page)
        if key is None:
            return {"id": attrs.get("id"), "url": None, "parentId": None}
        data = super().get_attribute_data(attrs)
        if data.get("url") is None:
            return data
        page = Page.objects.filter(pk=key).first()
        if page is None or not may_name_page(page, current_user()):
            return {"id": data["id"], "url": None, "parentId": None}
        return data


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
            "to_database_format": {"entity_decorators": {"LINK": link_entity}},
        },
    )


#: Where an ``a`` or an ``embed`` tag may begin, in any case.
_TAG_START = re.compile(r"<(a|embed)\b", re.IGNORECASE)
#: What ends a tag, or opens a quoted value inside one.
_TAG_END_OR_QUOTE = re.compile(r"""[>"']""")
#: ``linktype`` and ``id`` as any reader may find them in a tag: in any
#: case, quoted or not, after any prefix (``x:id``), even inside another
#: attribute's value, which Wagtail's own attribute pattern reads too.
_LINKTYPES = re.compile(
    r"""linktype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]*))""", re.IGNORECASE
)
_IDS = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]*))""", re.IGNORECASE)


def _tag_end(html: str, begin: int) -> int:
    """Where the tag that begins at ``begin`` ends: after the first ``>``
    outside quoted values, or at the end of ``html``. A pattern that stops
    at the first ``>`` reads no further; a parser that honours quotes reads
    this far. Linear in what it reads."""
    at = begin + 1
    while (found := _TAG_END_OR_QUOTE.search(html, at)) is not None:
        if found.group() == ">":
            return found.end()
        closing = html.find(found.group(), found.end())
        if closing == -1:
            return len(html)
        at = closing + 1
    return len(html)


def _tag_stretches(html: str) -> list[tuple[int, int, str]]:
    """Every stretch of ``html`` that any reader (a pattern, a parser, a
    client's) may take for the start tag of an ``a`` or an ``embed``: its
    start, its end, and which. A tag that begins inside another's stretch
    is part of it: whatever decides the outer one reads it too."""
    stretches: list[tuple[int, int, str]] = []
    for match in _TAG_START.finditer(html):
        if stretches and match.start() < stretches[-1][1]:
            continue
        end = _tag_end(html, match.start())
        stretches.append((match.start(), end, match.group(1).lower()))
    return stretches


def _values(pattern: re.Pattern, text: str) -> list[str]:
    """Every value ``pattern`` finds in ``text``, as written and with its
    character references read (``&#53;``)."""
    found = [a or b or c for a, b, c in pattern.findall(text)]
    return found + [unescape(value) for value in found if "&" in value]


#: :func:`visible_db_html`'s reader when none is given: the request's.
_CURRENT_READER: Any = object()


def visible_db_html(html: str, user: Any = _CURRENT_READER) -> str:
    """``html``, in Wagtail's database format, with each link to a page the
    reader may not be told of, or with an id no page can have, written as a
    bare ``<a>``: its words stay, its page id goes, as the HTML formats drop
    the address. Everything else is left exactly as it was, but for what
    the club's rich text never holds (its features are bold, italic, links
    and lists): a link of another type (a document) keeps only its words,
    and an embed (an image) goes, since Wagtail expands them whatever the
    media rule says of them.

    The database formats send the stored text itself, so whatever any
    reader of it could take for a link counts (:func:`_tag_stretches`), and
    a link is kept only when each ``linktype`` in it says ``page`` and each
    ``id`` in it is a page the reader may be told of. The reader is
    ``user`` (None: an anonymous one), else the request's.
    """
    lowered = html.lower()
    if "linktype" not in lowered and "<embed" not in lowered:
        return html
    decided: list[tuple[int, int, str]] = []  # start, end, what replaces it
    asked: list[tuple[int, int, list[str]]] = []  # page links to look up
    for begin, end, tag in _tag_stretches(html):
        text = html[begin:end]
        if tag == "embed" or "<embed" in text.lower():
            decided.append((begin, end, "" if tag == "embed" else "<a>"))
        elif "linktype" in text.lower():
            linktypes = _values(_LINKTYPES, text)
            ids = _values(_IDS, text)
            if ids and all(kind.strip().lower() == "page" for kind in linktypes):
                asked.append((begin, end, ids))
            else:
                decided.append((begin, end, "<a>"))
    if asked:
        keys = {value: as_id(value, Page) for _, _, ids in asked for value in ids}
        pages = Page.objects.in_bulk([key for key in keys.values() if key is not None])
        if user is _CURRENT_READER:
            user = current_user()
        for begin, end, ids in asked:
            linked = [pages.get(keys[value]) for value in ids]
            if not all(
                page is not None and may_name_page(page, user) for page in linked
            ):
                decided.append((begin, end, "<a>"))
    if not decided:
        return html
    pieces, done = [], 0
    for begin, end, replacement in sorted(decided):
        pieces += [html[done:begin], replacement]
        done = end
    return "".join(pieces) + html[done:]


def visible_stream_data(data: Any, user: Any) -> Any:
    """StreamField data (lists and dicts, as stored) with every string in it
    written by :func:`visible_db_html` for ``user``: the rich text values of
    any block, however deep, without knowing the blocks."""
    if isinstance(data, str):
        return visible_db_html(data, user)
    if isinstance(data, list):
        return [visible_stream_data(item, user) for item in data]
    if isinstance(data, dict):
        return {key: visible_stream_data(value, user) for key, value in data.items()}
    return data


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
            try:
                return _serialize(shown, features=features)
            except AssertionError:
                # Wagtail's Markdown conversion asserts that tags match; a
                # value that only a shell or SQL could store failed the
                # response (a 500 for every listing of it). Its words still
                # go, as text.
                if "markdown" not in _name:
                    raise
                return strip_tags(shown)

        visible.visible_pages_only = True  # type: ignore[attr-defined]
        setattr(APIRichText, name, staticmethod(visible))
