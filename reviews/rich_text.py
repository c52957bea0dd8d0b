"""Rich text links to pages, written only for readers who may see the page.

Wagtail expands ``<a linktype="page" id="…">`` into the page's URL wherever
rich text is shown: templates, API ``rich_text_format=html`` and, through the
editor's contentstate conversion, ``markdown``. A draft's or a restricted
page's slug can itself be a spoiler, so a link to a page the reader may not
see (:func:`reviews.visibility.can_view_page`) becomes plain text, exactly as
Wagtail renders a link to a deleted page. The handlers get no request; the
reader is the one :func:`reviews.visibility.current_user` names, and nobody
(the anonymous reader) outside a request.
"""

from __future__ import annotations

from django.utils.html import escape
from wagtail.admin.rich_text.converters.contentstate import link_entity
from wagtail.admin.rich_text.converters.html_to_contentstate import (
    ExternalLinkElementHandler,
    PageLinkElementHandler,
)
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

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
