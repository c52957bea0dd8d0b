"""Rich text links to pages, written only for readers who may see the page.

Wagtail expands ``<a linktype="page" id="…">`` into the page's URL wherever
rich text is shown: templates, API ``rich_text_format=html`` and, through the
editor's contentstate conversion, ``markdown``. A draft's or a restricted
page's slug can itself be a spoiler, so a link to a page the reader may not
see (:func:`reviews.visibility.can_view_page`) becomes plain text, exactly as
Wagtail renders a link to a deleted page. The handlers get no request; the
reader is the one :func:`reviews.visibility.current_user` names, and nobody
(the anonymous reader) outside a request.

The APIs' database formats (``db_html``, Wagtail's default, and
``db_markdown``) resolve no link, but name each linked page by its id: the
ids of drafts and restricted pages are nobody else's either, so such a link
keeps its words and loses its page there too (:func:`visible_db_html`).
"""

from __future__ import annotations

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
from wagtail.rich_text.rewriters import FIND_A_TAG, extract_attrs

from .visibility import can_view_page, current_user


class VisiblePageLinkHandler(PageLinkHandler):
    """Wagtail's page link, or a bare ``<a>`` (no href) for a page the reader
    may not see."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        user = current_user()
        return [
            f'<a href="{escape(page.localized.url)}">'
            if page is not None and can_view_page(page, user)
            else "<a>"
            for page in cls.get_many(attrs_list)
        ]


class VisiblePageLinkElementHandler(PageLinkElementHandler):
    """The editor's and Markdown's page link: no URL, and so no slug, for a
    page the reader may not see (the link keeps its id, so editing it loses
    nothing)."""

    def get_attribute_data(self, attrs: dict) -> dict:
        data = super().get_attribute_data(attrs)
        if data.get("url") is None:
            return data
        page = Page.objects.filter(pk=data["id"]).first()
        if page is None or not can_view_page(page, current_user()):
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


def visible_db_html(html: str) -> str:
    """``html``, in Wagtail's database format, with each link to a page the
    reader may not see written as a bare ``<a>``: its words stay, its page
    id goes, as the HTML formats drop the address (the same pages, read the
    same way: :class:`VisiblePageLinkHandler`)."""
    if 'linktype="page"' not in html:
        return html
    tags = [
        (match, attrs)
        for match in FIND_A_TAG.finditer(html)
        if (attrs := extract_attrs(match.group(1))).get("linktype") == "page"
    ]
    user = current_user()
    pages = VisiblePageLinkHandler.get_many([attrs for _, attrs in tags])
    hidden = {
        match.start()
        for (match, _), page in zip(tags, pages, strict=True)
        if page is None or not can_view_page(page, user)
    }
    if not hidden:
        return html
    return FIND_A_TAG.sub(
        lambda match: "<a>" if match.start() in hidden else match.group(0), html
    )


def use_visible_database_formats() -> None:
    """Make the APIs' ``db_html`` and ``db_markdown`` write
    :func:`visible_db_html`.

    Wagtail's ``APIRichText`` serialises every rich text value of both APIs
    and has no hook for a format's output, so its two database serialisers
    are wrapped. Should a Wagtail upgrade rename them, this fails loudly at
    start-up rather than letting the ids through.
    """
    from wagtail.api.rich_text import APIRichText

    names = ("_serialize_db_html", "_serialize_db_markdown")
    originals = {name: APIRichText.__dict__.get(name) for name in names}
    if any(not isinstance(original, staticmethod) for original in originals.values()):
        raise ImproperlyConfigured(
            "wagtail.api.rich_text.APIRichText's database serialisers are gone: "
            "the APIs would name pages the reader may not see."
        )
    for name, original in originals.items():
        serialize = original.__func__  # type: ignore[union-attr]
        if getattr(serialize, "visible_pages_only", False):
            continue

        def visible(value: str, *, features=None, _serialize=serialize) -> Any:
            return _serialize(visible_db_html(value), features=features)

        visible.visible_pages_only = True  # type: ignore[attr-defined]
        setattr(APIRichText, name, staticmethod(visible))
