"""Publish webhooks: endpoints editors register, and every delivery attempt.

When a page is published, unpublished or deleted, the site POSTs a small JSON
payload to each active endpoint that asked for that event, signed with the
endpoint's secret (HMAC-SHA256). Deliveries run in the background (see
reviews.webhooks) and are retried with backoff; every attempt's outcome is
kept here so editors can see it in the admin.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from ..addresses import PrivateAddress, refuse_private_host


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    PUBLISHED = "page.published", _("A page is published")
    UNPUBLISHED = "page.unpublished", _("A page is unpublished")
    DELETED = "page.deleted", _("A page is deleted")


class Webhook(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What receives it, e.g. 'Frontend'.")
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The endpoint the site POSTs JSON to. Use https."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=128,
        default=new_secret,
        help_text=_(
            "Shared with the receiver, which checks the X-Bookclub-Signature-256 "
            "header: 'sha256=' and the HMAC-SHA256 of the request body with this "
            "secret, in hex."
        ),
    )
    on_publish = models.BooleanField(_("on publish"), default=True)
    on_unpublish = models.BooleanField(_("on unpublish"), default=True)
    on_delete = models.BooleanField(_("on delete"), default=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive endpoints get nothing.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("secret"),
        MultiFieldPanel(
            [
                FieldPanel("on_publish"),
                FieldPanel("on_unpublish"),
                FieldPanel("on_delete"),
            ],
            heading=_("Events"),
        ),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("publish webhook")
        verbose_name_plural = _("publish webhooks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.url:
            try:
                refuse_private_host(self.url, unresolved_ok=True)
            except PrivateAddress as error:
                raise ValidationError({"url": str(error)}) from error

    @property
    def events(self) -> list[str]:
        chosen = {
            WebhookEvent.PUBLISHED: self.on_publish,
            WebhookEvent.UNPUBLISHED: self.on_unpublish,
            WebhookEvent.DELETED: self.on_delete,
        }
        return [str(event) for event, wanted in chosen.items() if wanted]

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")
        #: Not sent again: its page stopped being one a receiver may hear
        #: of before the delivery got through (reviews.webhooks.deliver).
        WITHDRAWN = "withdrawn", _("Withdrawn")

    webhook = models.ForeignKey(
        Webhook,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    page_id = models.PositiveIntegerField(_("page id"))
    page_title = models.CharField(_("page"), max_length=255)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(
        _("last response status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.page_title or self.page_id}"
