"""Wagtail 8's editor autosaves: 500 ms after a change to the form
(``w-unsaved:add->w-autosave#save``) it posts the whole form in the
background, asking for JSON and naming no action, so the view saves a draft
with the fields that are optional on save left blank; later autosaves of the
same session overwrite that revision (``overwrite_revision_id``). The posts
below are the ones the editor's script sends.

A member who opens "add review" and leaves leaves nothing behind: the title
and the book are required even for a draft. What an autosave keeps is the
member's own draft, and an autosaved draft of a live review reaches no
reader."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.models import ReviewPage
from tests.factories import BookFactory, make_review, review_index, token_client

pytestmark = pytest.mark.django_db

AUTOSAVE = {"HTTP_ACCEPT": "application/json"}
CANARY = "Quagga"


def _form(**fields) -> dict:
    """The review form as the editor's script posts it: every field, blank
    where the member typed nothing."""
    return nested_form_data(
        {
            "title": "",
            "slug": "",
            "book": "",
            "rating": "",
            "summary": "",
            "body": streamfield([]),
            "tags": "",
            "comments": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0},
            **fields,
        }
    )


def _add_url() -> str:
    return reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", review_index().pk)
    )


def _their_reviews(user) -> list[str]:
    answer = token_client(user).get("/api/v3/reviews/?mine=true").json()
    return [item["title"] for item in answer["items"]]


def test_an_untouched_or_title_only_review_leaves_no_draft(client, alice):
    client.force_login(alice)

    untouched = client.post(_add_url(), _form(), **AUTOSAVE)
    title_only = client.post(_add_url(), _form(title="Cold", slug="cold"), **AUTOSAVE)

    for answer in (untouched, title_only):
        assert answer.status_code == 400
        assert answer.json()["error_code"] == "validation_error"
    assert not ReviewPage.objects.exists()
    assert _their_reviews(alice) == []
    assert b"Cold" not in client.get(f"/admin/pages/{review_index().pk}/").content


def test_an_autosaved_new_review_is_the_members_own_draft(client, alice, bruno):
    book = BookFactory(title="The Siege")
    client.force_login(alice)

    answer = client.post(
        _add_url(), _form(title=CANARY, slug="cold", book=book.pk), **AUTOSAVE
    )

    assert answer.json()["success"] is True
    draft = ReviewPage.objects.get(pk=answer.json()["pk"])
    assert not draft.live
    assert _their_reviews(alice) == [CANARY]
    assert (
        f"/admin/pages/{draft.pk}/delete/"
        in client.get(f"/admin/pages/{draft.pk}/edit/").content.decode()
    )
    assert _their_reviews(bruno) == []
    other = Client()
    other.force_login(bruno)
    reader = Client()
    for url in (
        f"/admin/pages/{review_index().pk}/",
        "/admin/pages/search/?q=quagga",
        "/admin/reports/workflow/",
    ):
        assert CANARY.encode() not in other.get(url).content, url
    for url in (
        "/api/v3/reviews/",
        f"/api/v3/books/{book.pk}/",
        "/api/v2/pages/?type=reviews.ReviewPage",
        book.get_absolute_url(),
        "/search/?q=quagga",
    ):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert CANARY.encode() not in response.content, url
    assert reader.get(f"/api/v3/books/{book.pk}/").json()["review_count"] == 0


def test_an_autosaved_draft_of_a_live_review_reaches_no_reader(client, alice):
    review = make_review(
        owner=alice, reviewer=alice, title="Bread", summary="A cold winter."
    )
    edit_url = reverse("wagtailadmin_pages:edit", args=(review.pk,))
    client.force_login(alice)
    changed = _form(
        title=f"Bread {CANARY}",
        slug=review.slug,
        book=review.book_id,
        summary=f"{CANARY} summary",
        body=streamfield([("paragraph", rich_text(f"<p>{CANARY} body</p>"))]),
    )

    first = client.post(edit_url, changed, **AUTOSAVE).json()
    again = client.post(
        edit_url, {**changed, "overwrite_revision_id": first["revision_id"]}, **AUTOSAVE
    ).json()

    assert first["success"] and again["revision_id"] == first["revision_id"]
    review.refresh_from_db()
    assert review.live and review.has_unpublished_changes
    own_draft = token_client(alice).get(f"/api/v3/reviews/{review.pk}/?version=draft")
    assert f"{CANARY} body" in own_draft.content.decode()
    reader = Client()
    for url in (
        review.url,
        review_index().url,
        f"/api/v3/reviews/{review.pk}/",
        "/api/v3/reviews/",
        "/api/v3/reviews/?search=quagga",
        f"/api/v2/pages/{review.pk}/",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=*",
        review.book.get_absolute_url(),
        "/search/?q=quagga",
        "/feeds/reviews/",
    ):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert CANARY.encode() not in response.content, url
    assert "A cold winter." in reader.get(review.url).content.decode()


def test_an_autosave_never_rewrites_the_live_revision(client, alice):
    """Wagtail lets a save overwrite the latest revision when its user made
    it, live or not, and a review a moderator approved is live on its
    member's revision. Overwritten, the live revision would hold text no
    moderator saw: the page's history would show it as published, and the
    next publish of that revision (an editor's republish) would send it.
    The save keeps it and starts a draft of its own."""
    review = make_review(owner=alice, reviewer=alice, title="Bread")
    live = review.live_revision
    assert live.user == alice and review.latest_revision == live
    edit_url = reverse("wagtailadmin_pages:edit", args=(review.pk,))
    client.force_login(alice)
    changed = _form(
        title="Bread",
        slug=review.slug,
        book=review.book_id,
        summary=f"{CANARY} summary",
        body=streamfield([("paragraph", rich_text(f"<p>{CANARY} body</p>"))]),
    )

    answer = client.post(
        edit_url, {**changed, "overwrite_revision_id": live.pk}, **AUTOSAVE
    ).json()

    assert answer["success"] is True and answer["revision_id"] != live.pk
    live.refresh_from_db()
    assert CANARY not in str(live.content)
    review.refresh_from_db()
    assert review.live_revision_id == live.pk
    assert CANARY in str(review.latest_revision.content)
    # The next autosave of the session overwrites the new draft, as before.
    again = client.post(
        edit_url,
        {**changed, "overwrite_revision_id": answer["revision_id"]},
        **AUTOSAVE,
    ).json()
    assert again["revision_id"] == answer["revision_id"]
