"""Publish webhooks and their deliveries in the admin (``wagtail_hooks``
registers the group)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_dashboard import yes_no
from .models import Webhook, WebhookDelivery


class WebhookViewSet(SnippetViewSet):
    model = Webhook
    icon = "link-external"
    menu_label = _("Publish webhooks")
    list_display = ["name", "url", "events", yes_no("active", _("Active"))]
    list_filter = ["active"]


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
