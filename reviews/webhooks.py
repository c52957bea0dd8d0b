"""Delivering publish webhooks: payload, signature, background sending, retries.

A page event creates one :class:`~reviews.models.WebhookDelivery` per
interested endpoint and enqueues :func:`deliver` (django-tasks) once the
transaction commits. A failed attempt is recorded and retried with
exponential backoff: the task is re-enqueued to run later when the task
backend supports it (``django_tasks_db``), and ``manage.py retry_webhooks``
sends whatever is due otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import InvalidTaskError

from .addresses import checked_addresses
from .visibility import held_by_unpublished_page, is_restricted

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Bookclub-Signature-256"
EVENT_HEADER = "X-Bookclub-Event"
DELIVERY_HEADER = "X-Bookclub-Delivery"
MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 30
TIMEOUT_SECONDS = 10


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``body`` keyed with ``secret``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does: compare signatures in constant time."""
    return hmac.compare_digest(sign(secret, body), signature)


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min … after the 1st, 2nd, 3rd, 4th failure."""
    return timedelta(seconds=FIRST_RETRY_SECONDS * 4 ** max(attempts - 1, 0))


def _api_url(name: str, page_id: int) -> str | None:
    base = getattr(settings, "WAGTAILAPI_BASE_URL", "") or getattr(
        settings, "WAGTAILADMIN_BASE_URL", ""
    )
    try:
        return base.rstrip("/") + reverse(name, args=[page_id])
    except NoReverseMatch:
        return None


def build_payload(event: str, page) -> dict[str, Any]:
    """What a receiver learns: the event and the page, never its content."""
    specific_class = page.specific_class or type(page)
    return {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "page": {
            "id": page.pk,
            "type": specific_class._meta.label,
            "title": page.title,
            "slug": page.slug,
            "url": page.full_url if event == "page.published" else None,
            "api": {
                "v2": _api_url("wagtailapi:pages:detail", page.pk),
                "v3": _api_url("wagtailapi_v3:detail_page", page.pk),
            },
        },
    }


def is_announced(event: str, page) -> bool:
    """Is ``page`` public as a receiver hears of pages? A receiver is another
    site, no more entitled than an anonymous reader: it hears nothing of a
    page behind a view restriction, nor of any page below an unpublished
    one, which no listing names
    (:func:`reviews.visibility.held_by_unpublished_page`), nor of the
    deletion of a draft that was never published."""
    if is_restricted(page) or held_by_unpublished_page(page):
        return False
    return event != "page.deleted" or page.first_published_at is not None


def _heard(hooks: list, page, *, public_now: bool) -> dict[int, dict[str, Any]]:
    """The page as each of ``hooks`` last heard of it, or will: the ``page``
    of its latest delivery about the page that was not withdrawn, by
    webhook id. A publish not sent yet counts only while the page is
    public (``public_now``): one of a hidden page will be withdrawn when
    its turn comes (a copy's, recorded before its restriction was copied)."""
    from .models import WebhookDelivery

    deliveries = WebhookDelivery.objects.filter(
        webhook__in=hooks, page_id=page.pk
    ).exclude(status=WebhookDelivery.Status.WITHDRAWN)
    if not public_now:
        deliveries = deliveries.exclude(event="page.published", attempts=0)
    heard: dict[int, dict[str, Any]] = {}
    for hook_id, payload in deliveries.order_by(
        "webhook_id", "-created_at", "-pk"
    ).values_list("webhook_id", "payload"):
        heard.setdefault(hook_id, payload.get("page", {}))
    return heard


def _payloads(event: str, page, hooks: list) -> dict[int, dict[str, Any]]:
    """What each of ``hooks`` is sent of ``event``, by webhook id; a hook
    missing hears nothing.

    A publish goes to every hook while the page is public. An unpublish or
    a deletion tells a receiver to drop a page: it goes to every hook that
    heard of the page, whatever hides the page by now (a restriction added
    since, a section unpublished with its subpages), and to every hook
    while the title the page goes by was public until now (a live public
    page unpublished or deleted). It names the page only as the receiver
    heard of it, or as it was public: a page published only while hidden,
    then no longer hidden and deleted, is named by no title or slug that
    nobody outside saw."""
    public_now = is_announced(event, page)
    if event == "page.published" and not public_now:
        return {}
    # A published page is live; so was an unpublished one until now; a
    # deleted one is live still if it was.
    title_was_public = public_now and (event != "page.deleted" or page.live)
    payload = build_payload(event, page)
    if title_was_public:
        return {hook.pk: payload for hook in hooks}
    return {
        hook_id: {
            **payload,
            "page": {
                **payload["page"],
                "title": known.get("title"),
                "slug": known.get("slug"),
            },
        }
        for hook_id, known in _heard(hooks, page, public_now=public_now).items()
    }


def _still_announced(delivery) -> bool:
    """May ``delivery`` go out now? It was recorded when its event happened,
    and is sent after the commit or retried later, after changes committed
    meanwhile (another process's included). A publish is announced only
    while its page is still live and :func:`is_announced`: a receiver that
    was down for the first attempt hears no more of a page since
    restricted, unpublished or put below an unpublished page than a reader
    would. An unpublish or a deletion tells a receiver to drop what it
    heard of, so it still goes out."""
    from wagtail.models import Page

    if delivery.event != "page.published":
        return True
    page = Page.objects.filter(pk=delivery.page_id).first()
    return page is not None and page.live and is_announced(delivery.event, page)


def page_event(event: str, page) -> list:
    """Record a delivery for every endpoint that wants ``event`` and may
    hear of it (:func:`_payloads`); send them after the current transaction
    commits."""
    from .models import Webhook, WebhookDelivery

    # The endpoints first: most sites have none, and then nothing about the
    # page needs asking.
    hooks = [hook for hook in Webhook.objects.filter(active=True) if hook.wants(event)]
    if not hooks:
        return []
    payloads = _payloads(event, page, hooks)
    deliveries = [
        WebhookDelivery.objects.create(
            webhook=hook,
            event=event,
            page_id=page.pk,
            page_title=(payloads[hook.pk]["page"]["title"] or "")[:255],
            payload=payloads[hook.pk],
        )
        for hook in hooks
        if hook.pk in payloads
    ]
    for delivery in deliveries:
        transaction.on_commit(partial(enqueue, delivery.pk))
    return deliveries


def enqueue(delivery_id: int, run_after=None) -> None:
    task_to_run = deliver
    if run_after is not None:
        if not deliver.get_backend().supports_defer:
            return  # manage.py retry_webhooks sends it when it is due
        task_to_run = deliver.using(run_after=run_after)
    try:
        task_to_run.enqueue(delivery_id=delivery_id)
    except InvalidTaskError:
        logger.exception("Could not enqueue webhook delivery %s", delivery_id)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver's redirect is its answer, not an address to follow: a
    public endpoint must not lead the site to a private one."""

    def redirect_request(self, *args, **kwargs):
        return None


def _pinned(connection_class, address: str):
    """``connection_class`` connecting to ``address`` whatever its host
    resolves to now; TLS still checks the certificate for the host name."""

    def connection(host, **kwargs):
        made = connection_class(host, **kwargs)
        port = made.port
        made._create_connection = lambda _where, *args, **kw: socket.create_connection(
            (address, port), *args, **kw
        )
        return made

    return connection


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def https_open(self, req):
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self.address),
            req,
            context=self._context,
        )


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body``; the HTTP status (raises for network errors, and
    :class:`~reviews.addresses.PrivateAddress` for a host on the site's own
    machine or network, checked again at each delivery). The connection goes
    to the address that was checked, not to the name resolved once more."""
    addresses = checked_addresses(url)
    handlers: list = [_NoRedirects]
    if addresses:
        handlers += [_PinnedHTTP(addresses[0]), _PinnedHTTPS(addresses[0])]
    request = urllib.request.Request(  # noqa: S310 (an http(s) URL from a URLField)
        url, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.build_opener(*handlers).open(
            request, timeout=TIMEOUT_SECONDS
        ) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery; record the outcome and schedule a retry if needed."""
    from .models import WebhookDelivery

    delivery = (
        WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.SUCCEEDED,
        WebhookDelivery.Status.FAILED,
        WebhookDelivery.Status.WITHDRAWN,
    ):
        return "skipped"
    if not _still_announced(delivery):
        delivery.status = WebhookDelivery.Status.WITHDRAWN
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "next_attempt_at"])
        return delivery.status
    body = json.dumps({**delivery.payload, "delivery": delivery.pk}).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "bookclub-webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: sign(delivery.webhook.secret, body),
    }
    delivery.attempts += 1
    status, error = None, ""
    try:
        status = post(delivery.webhook.url, body, headers)
    except (OSError, ValueError) as exc:  # network errors, timeouts, bad URLs
        error = f"{type(exc).__name__}: {exc}"[:2000]
    delivery.response_status = status
    if status is not None and 200 <= status < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = WebhookDelivery.Status.RETRYING
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save()
    if delivery.status == WebhookDelivery.Status.RETRYING:
        enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery.status


def retry_due(now=None) -> int:
    """Send every delivery whose retry is due; the number sent."""
    from .models import WebhookDelivery

    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        next_attempt_at__lte=now,
    ).values_list("pk", flat=True)
    sent = 0
    for delivery_id in list(due):
        deliver.call(delivery_id=delivery_id)
        sent += 1
    return sent


def on_published(sender, instance, **kwargs) -> None:
    page_event("page.published", instance)


def on_unpublished(sender, instance, **kwargs) -> None:
    page_event("page.unpublished", instance)


def on_deleted(sender, instance, **kwargs) -> None:
    """``pre_delete``: while the page's own view restriction is still there."""
    from wagtail.models import Page

    # Multi-table inheritance sends the signal for the specific model and for
    # Page; announce the page once, from its specific class.
    if isinstance(instance, Page) and type(instance) is (
        instance.specific_class or Page
    ):
        page_event("page.deleted", instance)


def on_restriction_changed(sender, instance, created: bool = False, **kwargs) -> None:
    """A view restriction added or removed (``post_save``, ``post_delete``):
    once the change commits, a receiver drops the pages it now hides and
    hears again of those it no longer hides (:func:`announce_restriction`).
    A restriction edited (a new password) hides what it hid: nothing to
    say."""
    from .models import Webhook

    added = kwargs.get("signal") is post_save
    if added and not created:
        return
    if not Webhook.objects.filter(active=True).exists():
        return
    transaction.on_commit(
        partial(_enqueue_restriction, instance.page_id, added), robust=True
    )


def _enqueue_restriction(page_id: int, added: bool) -> None:
    try:
        announce_restriction.enqueue(page_id=page_id, added=added)
    except InvalidTaskError:
        logger.exception("Could not enqueue the restriction of page %s", page_id)


@task()
def announce_restriction(page_id: int, added: bool) -> int:
    """Tell the receivers of a restriction added to or removed from a page:
    ``page.unpublished`` for the live pages below it that a receiver was
    sent (nothing else needs dropping; a copy's publish, recorded before
    its restriction was copied, was not sent), ``page.published`` for the
    live pages it no longer hides. A task: the pages below a section's root
    may be thousands, too many to announce inside the editor's request.
    Returns how many pages were announced."""
    from wagtail.models import Page

    from .models import WebhookDelivery

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    pages = Page.objects.descendant_of(page, inclusive=True).live()
    if added:
        heard = WebhookDelivery.objects.filter(
            event="page.published", attempts__gt=0, page_id__in=pages.values("pk")
        ).values("page_id")
        pages = pages.filter(pk__in=heard)
    event = "page.unpublished" if added else "page.published"
    announced = 0
    for each in pages.iterator():
        announced += bool(page_event(event, each))
    return announced
