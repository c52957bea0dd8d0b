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

from html.parser import HTMLParser
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape
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


class _PageLinkTags(HTMLParser):
    """The start tags of page links in rich text, as written: where each
    begins, its exact text and its id. An HTML parser, not Wagtail's pattern
    (double-quoted, lower-case attributes only), so that no spelling of a
    link (``LINKTYPE``, single quotes, none, a ``>`` in another attribute)
    passes unread."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = dict(reversed(attrs))  # the first of a repeated attribute
        if (values.get("linktype") or "").lower() == "page":
            self.found.append(
                (self.getpos(), self.get_starttag_text() or "", values.get("id"))
            )


def visible_db_html(html: str) -> str:
    """``html``, in Wagtail's database format, with each link to a page the
    reader may not be told of, or with an id no page can have, written as a
    bare ``<a>``: its words stay, its page id goes, as the HTML formats drop
    the address. Everything else is left exactly as it was."""
    if "linktype" not in html.lower():
        return html
    parser = _PageLinkTags()
    parser.feed(html)
    parser.close()
    if not parser.found:
        return html
    keys = [as_id(page_id, Page) for _, _, page_id in parser.found]
    pages = Page.objects.in_bulk([key for key in keys if key is not None])
    user = current_user()
    # Where each line begins, as the parser counts lines: at "\n" only.
    line_starts = [0]
    for line in html.split("\n")[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    pieces, done = [], 0
    for ((line, column), text, _), key in zip(parser.found, keys, strict=True):
        page = pages.get(key) if key is not None else None
        if page is not None and may_name_page(page, user):
            continue
        start = line_starts[line - 1] + column
        if not html.startswith(text, start):  # never seen; fail closed
            raise ValueError("a page link's tag was not where the parser saw it")
        pieces += [html[done:start], "<a>"]
        done = start + len(text)
    return "".join(pieces) + html[done:]


#: Wagtail's serialisers of the APIs' rich text formats.
_API_SERIALISERS = (
    "_serialize_db_html",
    "_serialize_html",
    "_serialize_db_markdown",
    "_serialize_markdown",
)


def use_visible_database_formats() -> None:
    """Make every API rich text format start from :func:`visible_db_html`.

    Wagtail's ``APIRichText`` serialises every rich text value of both APIs
    and has no hook for a format's output, so its serialisers are wrapped.
    The HTML formats need it for the spellings Wagtail's expansion passes
    over; the database formats for every hidden link. Should a Wagtail
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

        def visible(value: str, *, features=None, _serialize=serialize) -> Any:
            return _serialize(visible_db_html(value), features=features)

        visible.visible_pages_only = True  # type: ignore[attr-defined]
        setattr(APIRichText, name, staticmethod(visible))
