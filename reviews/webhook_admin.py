"""Publish webhooks and their deliveries in the admin (``wagtail_hooks``
registers the group)."""

from __future__ import annotations

import json

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import (
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from .admin_dashboard import yes_no
from .models import Webhook, WebhookDelivery
from .models.webhooks import WebhookEvent

#: The events as the list of endpoints names them.
_EVENT_NAMES = {
    WebhookEvent.PUBLISHED: _("publish"),
    WebhookEvent.UNPUBLISHED: _("unpublish"),
    WebhookEvent.DELETED: _("delete"),
}


def _event_names(webhook: Webhook) -> str:
    return (
        ", ".join(str(_EVENT_NAMES[WebhookEvent(event)]) for event in webhook.events)
        or "—"
    )


class WebhookViewSet(SnippetViewSet):
    model = Webhook
    icon = "link-external"
    menu_label = _("Publish webhooks")
    list_display = [
        "name",
        "url",
        Column("events", label=_("Events"), accessor=_event_names),
        yes_no("active", _("Active")),
    ]
    list_filter = ["active"]


class DeliveryInspectView(InspectView):
    """A delivery as an editor reads it: the payload as the JSON sent, a
    dash for what there is none of, and why a withdrawn one was not sent."""

    def get_field_display_value(self, field_name, field):
        if field_name == "payload":
            return format_html(
                "<pre>{}</pre>", json.dumps(self.object.payload, indent=2)
            )
        if field_name == "last_error" and (
            self.object.status == WebhookDelivery.Status.WITHDRAWN
        ):
            return _(
                "Not sent again: the page is no longer public, so the "
                "receiver may not hear of it."
            )
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value


class WebhookDeliveryViewSet(SnippetViewSet):
    """Every delivery and its last attempt; editors only read these."""

    model = WebhookDelivery
    icon = "history"
    menu_label = _("Webhook deliveries")
    list_display = [
        "event",
        "page_title",
        "webhook",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["page_title", "last_error"]
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    inspect_view_fields = [
        "webhook",
        "event",
        "page_id",
        "page_title",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "payload",
    ]


class WebhookViewSetGroup(SnippetViewSetGroup):
    items = (WebhookViewSet, WebhookDeliveryViewSet)
    menu_icon = "link-external"
    menu_label = _("Webhooks")
    menu_name = "webhooks"
