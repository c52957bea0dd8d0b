"""Publish webhooks: signed, sent in the background, retried, visible."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from reviews import webhooks
from reviews.models import ReviewIndexPage, Webhook, WebhookDelivery
from reviews.roles import EDITORS
from tests.api.helpers import published_section
from tests.factories import BookFactory, copy_in_admin, make_review, review_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """Replace the HTTP call: record requests, answer with queued statuses."""
    calls: list[dict] = []
    answers: list = []

    def fake_post(url, body, headers):
        calls.append({"url": url, "body": body, "headers": headers})
        answer = answers.pop(0) if answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer

    with mock.patch.object(webhooks, "post", side_effect=fake_post):
        yield calls, answers


def test_publish_posts_a_signed_payload(
    endpoint, sent, django_capture_on_commit_callbacks
):
    calls, _ = sent
    with django_capture_on_commit_callbacks(execute=True):
        page = make_review(book=BookFactory(), title="Cold and hunger")

    assert len(calls) == 1
    call = calls[0]
    assert call["url"] == "https://frontend.example/hooks"
    payload = json.loads(call["body"])
    assert payload["event"] == "page.published"
    assert payload["page"]["id"] == page.pk
    assert payload["page"]["type"] == "reviews.ReviewPage"
    assert payload["page"]["api"]["v3"].endswith(f"/api/v3/pages/{page.pk}/")
    signature = call["headers"]["X-Bookclub-Signature-256"]
    assert webhooks.verify("s3cret", call["body"], signature)
    assert not webhooks.verify("wrong", call["body"], signature)
    assert not webhooks.verify("s3cret", call["body"] + b" ", signature)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.response_status == 200


def test_unpublish_and_delete_are_announced(
    endpoint, sent, django_capture_on_commit_callbacks
):
    calls, _ = sent
    page = make_review(book=BookFactory())
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
        page.delete()
    events = [json.loads(call["body"])["event"] for call in calls]
    assert events == ["page.unpublished", "page.deleted"]


def test_endpoints_get_only_the_events_they_chose(
    endpoint, sent, django_capture_on_commit_callbacks
):
    calls, _ = sent
    endpoint.on_publish = False
    endpoint.save()
    Webhook.objects.create(name="Off", url="https://off.example/", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        page = make_review(book=BookFactory())
        page.unpublish()
    assert [json.loads(call["body"])["event"] for call in calls] == ["page.unpublished"]


def test_failures_are_retried_with_backoff_then_given_up(
    endpoint, sent, django_capture_on_commit_callbacks
):
    calls, answers = sent
    answers.extend([500, OSError("connection refused")])
    with django_capture_on_commit_callbacks(execute=True):
        make_review(book=BookFactory())

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.attempts == 1
    assert delivery.response_status == 500
    first_retry = delivery.next_attempt_at
    assert first_retry > timezone.now() + timedelta(seconds=25)

    # Not due yet: nothing is sent.
    assert webhooks.retry_due() == 0
    # Due: the second attempt fails on the network, and waits longer.
    assert webhooks.retry_due(now=first_retry + timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert "connection refused" in delivery.last_error
    assert delivery.next_attempt_at - timezone.now() > timedelta(minutes=1)

    # The third attempt succeeds (through the management command).
    delivery.next_attempt_at = timezone.now() - timedelta(seconds=1)
    delivery.save()
    call_command("retry_webhooks", stdout=mock.MagicMock())
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    assert len(calls) == 3
    # Every attempt carries the same signed body.
    assert calls[0]["body"] == calls[2]["body"]


def test_delivery_gives_up_after_max_attempts(endpoint, sent):
    calls, answers = sent
    answers.extend([503] * webhooks.MAX_ATTEMPTS)
    page = make_review(book=BookFactory())
    delivery = webhooks.page_event("page.published", page)[0]
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver.call(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert webhooks.deliver.call(delivery_id=delivery.pk) == "skipped"
    assert len(calls) == webhooks.MAX_ATTEMPTS


def test_backoff_grows():
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]


def test_editors_register_endpoints_and_see_deliveries(
    client, moderator, endpoint, sent
):
    moderator.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(moderator)
    response = client.post(
        "/admin/snippets/reviews/webhook/add/",
        {
            "name": "Static site",
            "url": "https://static.example/build",
            "secret": "abc",
            "on_publish": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    hook = Webhook.objects.get(name="Static site")
    assert hook.events == ["page.published"]

    endpoints = client.get("/admin/snippets/reviews/webhook/").content.decode()
    # The events as words, not a Python list.
    assert "publish, unpublish, delete" in endpoints
    assert "[&#x27;page.published&#x27;" not in endpoints

    page = make_review(book=BookFactory(), title="Announced review")
    (delivery, *_) = webhooks.page_event("page.published", page)
    listing = client.get("/admin/snippets/reviews/webhookdelivery/")
    assert listing.status_code == 200
    assert "Announced review" in listing.content.decode()

    inspect = client.get(
        f"/admin/snippets/reviews/webhookdelivery/inspect/{delivery.pk}/"
    ).content.decode()
    # The payload as the JSON sent, nothing shown as Python's None.
    assert "&quot;event&quot;: &quot;page.published&quot;" in inspect
    assert "<dd>None</dd>" not in inspect.replace(" ", "").replace("\n", "")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.WITHDRAWN, last_error="HTTP 503"
    )
    inspect = client.get(
        f"/admin/snippets/reviews/webhookdelivery/inspect/{delivery.pk}/"
    ).content.decode()
    assert "the page is no longer public" in inspect


# A receiver is another site: it learns only of pages an anonymous reader may see.


def _restrict(page) -> None:
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )


def _named(calls: list[dict]) -> str:
    return " ".join(call["body"].decode() for call in calls)


@pytest.mark.parametrize("restricted", ["parent", "page"])
def test_a_restricted_page_is_never_announced(
    endpoint, sent, django_capture_on_commit_callbacks, restricted
):
    calls, _ = sent
    parent = review_index().add_child(
        instance=ReviewIndexPage(title="Committee", slug="committee")
    )
    if restricted == "parent":
        _restrict(parent)
    page = make_review(book=BookFactory(), parent=parent, live=False)
    if restricted == "page":
        _restrict(page)
    with django_capture_on_commit_callbacks(execute=True):
        page.title = "Committee minutes"
        page.save_revision().publish()
        page.unpublish()
        page.delete()
    assert "Committee minutes" not in _named(calls)
    assert calls == []


def test_a_draft_deleted_before_it_was_ever_published_is_not_announced(
    endpoint, sent, django_capture_on_commit_callbacks
):
    calls, _ = sent
    draft = make_review(book=BookFactory(), live=False, title="Who dies at the end")
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert "Who dies at the end" not in _named(calls)
    assert calls == []


def test_a_public_pages_deletion_is_still_announced(
    endpoint, sent, django_capture_on_commit_callbacks
):
    calls, _ = sent
    page = make_review(book=BookFactory(), title="Public once")
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert "page.deleted" in [json.loads(call["body"])["event"] for call in calls]


def test_a_site_without_endpoints_asks_nothing_more_of_a_publish(
    django_assert_num_queries,
):
    """Every publish, unpublish and deletion asks for the endpoints that
    listen; with none, nothing about the page (its view restrictions) is
    worth a query."""
    review = make_review()
    with django_assert_num_queries(1):
        assert webhooks.page_event("page.published", review) == []


@pytest.mark.parametrize("unpublished", [True, False])
def test_nothing_below_an_unpublished_section_is_announced(
    endpoint, sent, django_capture_on_commit_callbacks, unpublished
):
    """A receiver hears of pages as a listing names them: nothing below an
    unpublished section, which Wagtail still serves but no listing names,
    not its publish nor its unpublish or deletion, which would name a page
    it never heard of. The published section is the control."""

    calls, _ = sent
    holder = Page(title="Old club", slug="old-club")
    review_index().get_parent().add_child(instance=holder)
    holder.save_revision().publish()
    archive = holder.add_child(
        instance=ReviewIndexPage(title="Archive", slug="archive")
    )
    archive.save_revision().publish()
    if unpublished:
        holder.unpublish()
    page = make_review(book=BookFactory(), parent=archive, live=False)
    with django_capture_on_commit_callbacks(execute=True):
        page.title = "Archived minutes"
        page.save_revision().publish()
        page.unpublish()
        page.save_revision().publish()
    # Its own commit: a publish sent after the page is gone is withdrawn.
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    events = [json.loads(call["body"])["event"] for call in calls]
    assert ("Archived minutes" in _named(calls)) is not unpublished
    if not unpublished:
        assert {"page.published", "page.unpublished", "page.deleted"} <= set(events)


def _below_an_unpublished_section(page) -> Page:
    """Move ``page`` below a section, then unpublish the section; returns it."""
    section = published_section()
    Page.objects.get(pk=page.pk).move(section, "last-child")
    Page.objects.get(pk=section.pk).unpublish()
    return section


def _unpublish(page) -> None:
    page.unpublish()


def _delete(page) -> None:
    page.delete()


def _keep_public(page) -> None:
    """The control: nothing changed."""


@pytest.mark.parametrize(
    "hide",
    [_restrict, _below_an_unpublished_section, _unpublish, _delete, _keep_public],
)
def test_a_retried_publish_goes_out_only_while_the_page_is_public(
    endpoint, sent, django_capture_on_commit_callbacks, hide
):
    """The announcement is recorded when the page is published and retried
    later, after changes committed meanwhile, by the worker or by
    ``retry_webhooks``. A receiver that was down for the first attempt
    hears no more of a page since restricted, unpublished, put below an
    unpublished section or deleted than a reader would: the retry is
    withdrawn (the unpublish or the deletion still goes out)."""

    calls, answers = sent
    answers.append(503)  # the receiver is down for the first attempt
    with django_capture_on_commit_callbacks(execute=True):
        page = make_review(
            book=BookFactory(), title="Yura betrays Anna", slug="yura-betrays-anna"
        )
    delivery = WebhookDelivery.objects.get(event="page.published")
    assert delivery.status == WebhookDelivery.Status.RETRYING

    with django_capture_on_commit_callbacks(execute=True):
        hide(Page.objects.get(pk=page.pk))
    calls.clear()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    call_command("retry_webhooks", stdout=mock.MagicMock())

    delivery.refresh_from_db()
    published = [
        call for call in calls if json.loads(call["body"])["event"] == "page.published"
    ]
    if hide is _keep_public:
        assert len(published) == 1
        assert delivery.status == WebhookDelivery.Status.SUCCEEDED
        return
    assert published == []
    for word in ("Yura betrays Anna", "yura-betrays-anna"):
        assert word not in _named(published)
    assert delivery.status == WebhookDelivery.Status.WITHDRAWN
    assert delivery.next_attempt_at is None
    assert delivery.attempts == 1


def _events(calls: list[dict]) -> list[tuple[str, int]]:
    return [
        (payload["event"], payload["page"]["id"])
        for payload in (json.loads(call["body"]) for call in calls)
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_copy_of_a_restricted_page_is_not_announced(
    endpoint, sent, client, django_user_model
):
    """The admin's copy runs in autocommit, as in production: each
    ``on_commit`` runs at once, and the delivery is sent (the immediate task
    backend) or queued for ``db_worker`` (which races the rest of the copy)
    while the copy has no restriction yet."""
    calls, _ = sent
    source = make_review(
        book=BookFactory(),
        title="Committee minutes, members only",
        slug="committee-minutes",
    )
    PageViewRestriction.objects.create(
        page=source, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    calls.clear()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)

    response = copy_in_admin(
        client, source, "Committee minutes, copied", "committee-minutes-copied"
    )
    assert response.status_code == 302
    copy = Page.objects.get(slug="committee-minutes-copied")
    assert copy.live
    assert PageViewRestriction.objects.filter(page=copy).exists()
    # The copy is restricted: an anonymous reader cannot see it.
    client.logout()
    assert client.get(f"/api/v2/pages/{copy.pk}/").status_code == 404

    named = _named(calls)
    for word in ("Committee minutes, copied", "committee-minutes-copied"):
        assert word not in named, f"{word!r} was sent to the receiver"


def _restricted_then_opened(page) -> None:
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    page = page.specific
    page.title = "Who dies at the end"
    page.slug = "who-dies-at-the-end"
    page.save_revision().publish()
    Page.objects.get(pk=page.pk).specific.unpublish()
    restriction.delete()


def _below_a_section_then_opened(page) -> None:
    section = _below_an_unpublished_section(page)
    page = Page.objects.get(pk=page.pk).specific
    page.title = "Who dies at the end"
    page.slug = "who-dies-at-the-end"
    page.save_revision().publish()
    Page.objects.get(pk=page.pk).specific.unpublish()
    Page.objects.get(pk=section.pk).specific.save_revision().publish()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hide", [_restricted_then_opened, _below_a_section_then_opened]
)
def test_a_deletion_names_no_title_that_was_never_public(
    endpoint, sent, django_capture_on_commit_callbacks, hide
):
    """Published only while hidden, unpublished while hidden, then no
    longer hidden (the restriction removed, the section republished) while
    it is a draft: its title and slug were never public, and its deletion
    must not announce them."""
    calls, _ = sent
    page = make_review(book=BookFactory(), live=False, title="Draft", slug="draft")
    with django_capture_on_commit_callbacks(execute=True):
        hide(Page.objects.get(pk=page.pk))
    assert "Who dies at the end" not in _named(calls)  # the rule so far
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).delete()
    named = _named(calls)
    for word in ("Who dies at the end", "who-dies-at-the-end"):
        assert word not in named, f"{word!r} was sent to the receiver"


@pytest.mark.django_db
def test_a_receiver_is_told_to_drop_a_page_once_it_is_restricted(
    endpoint, sent, django_capture_on_commit_callbacks, client, django_user_model
):
    """The receiver heard of the page while it was public. An editor then
    restricts it (the admin's privacy form) and later deletes it: the
    receiver keeps the page's title and address for ever unless one of
    these tells it to drop the page."""
    calls, _ = sent
    with django_capture_on_commit_callbacks(execute=True):
        page = make_review(book=BookFactory(), title="Public at first")
    assert ("page.published", page.pk) in _events(calls)
    calls.clear()

    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/pages/{page.pk}/privacy/", {"restriction_type": "login"}
        )
    assert response.status_code == 200
    assert PageViewRestriction.objects.filter(page_id=page.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).delete()

    told = [event for event, page_id in _events(calls) if page_id == page.pk]
    assert told and "page.published" not in told, (
        "the receiver was never told to drop the page"
    )


@pytest.mark.django_db
def test_unpublishing_a_section_with_its_subpages_tells_the_receiver_of_each(
    endpoint, sent, django_capture_on_commit_callbacks, django_user_model
):
    """The admin's unpublish with "unpublish subpages" unpublishes the
    section first, so each subpage is below an unpublished page when its
    own unpublish is sent, and is not announced: the receiver, which heard
    of every subpage, hears only of the section (whose payload names no
    children) and keeps the subpages."""
    calls, _ = sent
    from wagtail.actions.unpublish_page import UnpublishPageAction

    with django_capture_on_commit_callbacks(execute=True):
        section = published_section()
        child = make_review(book=BookFactory(), parent=section.specific)
    assert ("page.published", child.pk) in _events(calls)
    calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        UnpublishPageAction(
            Page.objects.get(pk=section.pk).specific,
            user=django_user_model.objects.create_superuser("root", "r@x.org", "pw"),
            include_descendants=True,
        ).execute()
    assert not Page.objects.get(pk=child.pk).live
    told = [event for event, page_id in _events(calls) if page_id == child.pk]
    assert told, "the receiver was never told to drop the subpage"


def test_a_restriction_tells_the_receivers_to_drop_what_it_hides_and_back(
    endpoint, sent, django_capture_on_commit_callbacks
):
    """A receiver that heard of a section and the review below it is told to
    drop both when the section is restricted, naming them as it heard of
    them, and hears of them again when the restriction goes. A page it
    never heard of is not named."""
    calls, _ = sent
    with django_capture_on_commit_callbacks(execute=True):
        section = published_section()
        child = make_review(
            book=BookFactory(), parent=section.specific, title="Heard of"
        )
    # Published while nobody listened: never heard of.
    endpoint.active = False
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        quiet = make_review(
            book=BookFactory(),
            parent=Page.objects.get(pk=section.pk).specific,
            title="Never heard of",
        )
    endpoint.active = True
    endpoint.save()
    calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=Page.objects.get(pk=section.pk),
            restriction_type=PageViewRestriction.LOGIN,
        )
    assert sorted(_events(calls)) == sorted(
        [("page.unpublished", section.pk), ("page.unpublished", child.pk)]
    )
    assert "Never heard of" not in _named(calls)
    calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert sorted(_events(calls)) == sorted(
        [
            ("page.published", section.pk),
            ("page.published", child.pk),
            ("page.published", quiet.pk),
        ]
    )


def test_a_copy_of_a_restricted_page_names_it_in_no_drop_either(
    endpoint, sent, django_capture_on_commit_callbacks
):
    """The copy's publish was recorded before its restriction was copied;
    not sent, it is no hearing of the page, and the restriction tells no
    receiver to drop the copy."""
    calls, _ = sent
    source = make_review(book=BookFactory(), title="Members only", slug="members")
    PageViewRestriction.objects.create(
        page=source, restriction_type=PageViewRestriction.LOGIN
    )
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=source.pk).copy(
            update_attrs={"title": "Members only, copied", "slug": "members-copied"},
            keep_live=True,
        )
    assert "Members only, copied" not in _named(calls)
    assert "members-copied" not in _named(calls)
