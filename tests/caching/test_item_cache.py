"""Review bodies kept per revision for readers who asked to see nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import ReadingProgressFactory, make_review, paragraph, spoiler

pytestmark = pytest.mark.django_db

SECRET = "ITEMCACHESECRET"


def _review(book, title="Kept body"):
    return make_review(
        book=book,
        title=title,
        body=[paragraph("Open words."), spoiler(book, 3, "The end", SECRET)],
    )


# The server's whole-response cache would hide what the item cache does.
@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_a_listing_leaves_bodies_a_detail_assembles_from(client, book, renders):
    review = _review(book)
    listing = client.get("/api/v3/reviews/").json()
    assert renders.call_count == 1
    detail = client.get(f"/api/v3/reviews/{review.pk}/").json()
    assert renders.call_count == 1, "the detail reused the listing's body"
    assert detail["body"] == listing["items"][0]["body"]
    assert SECRET not in str(detail)
    hidden = [b for b in detail["body"] if b["type"] == "spoiler"]
    assert hidden[0]["value"]["hidden"] is True


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_publishing_a_new_revision_retires_the_kept_body(client, book, renders):
    review = _review(book)
    client.get(f"/api/v3/reviews/{review.pk}/")
    review.body = [paragraph("Second thoughts.")]
    review.save_revision().publish()
    body = client.get(f"/api/v3/reviews/{review.pk}/").json()["body"]
    assert "Second thoughts." in str(body)
    assert renders.call_count == 2


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_renaming_a_spoiled_book_retires_the_kept_body(client, book):
    review = _review(book)
    client.get(f"/api/v3/reviews/{review.pk}/")
    book.title = "A new title"
    book.save()
    body = client.get(f"/api/v3/reviews/{review.pk}/").json()["body"]
    assert "A new title" in str(body)


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_readers_who_see_spoilers_never_get_nor_leave_a_kept_body(
    client, book, member, renders
):
    review = _review(book)
    url = f"/api/v3/reviews/{review.pk}/"
    assert SECRET in client.get(url, {"spoilers": "show"}).content.decode()
    assert SECRET in client.get(url, {"read": f"{book.pk}:3"}).content.decode()
    ReadingProgressFactory(member=member, book=book, chapter=3)
    client.force_login(member)
    assert SECRET in client.get(url).content.decode()
    client.logout()
    calls = renders.call_count
    assert SECRET not in client.get(url).content.decode()
    assert renders.call_count == calls + 1, "no personal body was kept"
    assert SECRET in client.get(url, {"spoilers": "show"}).content.decode()


V2_LISTING = "/api/v2/pages/?type=reviews.ReviewPage&fields=*"
V2_LISTING_PARAMS = {"type": "reviews.ReviewPage", "fields": "*"}


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_a_v2_listing_assembles_from_kept_bodies(client, book, renders):
    """After a publish, rebuilding a listing renders only the new body."""
    first = _review(book, "First")
    second = _review(book, "Second")
    listing = client.get(V2_LISTING).json()
    assert renders.call_count == 2
    assert SECRET not in str(listing)
    detail = client.get(f"/api/v2/pages/{first.pk}/").json()
    v3_detail = client.get(f"/api/v3/reviews/{second.pk}/").json()
    assert renders.call_count == 2, "the details reused the listing's bodies"
    items = {item["id"]: item for item in listing["items"]}
    assert detail["body"] == items[first.pk]["body"]
    assert v3_detail["body"] == items[second.pk]["body"]
    second.body = [paragraph("Second thoughts.")]
    second.save_revision().publish()
    listing = client.get(V2_LISTING).json()
    assert renders.call_count == 3, "only the new revision was rendered"
    assert "Second thoughts." in str(listing)
    assert SECRET not in str(listing)


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_v2_readers_who_see_spoilers_never_get_nor_leave_a_kept_body(
    client, book, member, renders
):
    review = _review(book)
    urls = (("/api/v2/pages/", V2_LISTING_PARAMS), (f"/api/v2/pages/{review.pk}/", {}))

    def body(url, params, **reader):
        return client.get(url, params | reader).content.decode()

    for url, params in urls:
        assert SECRET not in body(url, params)
        assert SECRET in body(url, params, spoilers="show")
        assert SECRET in body(url, params, read=f"{book.pk}:3")
    ReadingProgressFactory(member=member, book=book, chapter=3)
    client.force_login(member)
    for url, params in urls:
        assert SECRET in body(url, params)
    client.logout()
    calls = renders.call_count
    for url, params in urls:
        assert SECRET not in body(url, params)
    assert renders.call_count == calls, "the anonymous body was kept, none other"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/v2/pages/{}/", "/api/v3/reviews/{}/"])
def test_a_body_read_before_a_change_is_never_kept_under_its_versions(
    client, book, monkeypatch, path
):
    """Outside a build (a visitor with a session cookie takes the whole
    stack) the review was loaded before its tags' versions were read: a
    change committed in between, by a script's ``update()`` that keeps the
    revision, must not leave the old body under the new versions for the
    next reader."""
    from reviews.api import item_cache
    from reviews.models import ReviewPage

    review = make_review(book=book, body=[paragraph("OLDBODYWORDS")])
    url = path.format(review.pk)
    read_versions = item_cache.tag_versions
    changed = []

    def change_then_read(names):
        if not changed:
            ReviewPage.objects.filter(pk=review.pk).update(
                body=[{"type": "paragraph", "value": "<p>NEWBODYWORDS</p>"}]
            )
            changed.append(True)
        return read_versions(names)

    monkeypatch.setattr(item_cache, "tag_versions", change_then_read)
    client.cookies["sessionid"] = "made-up"
    assert client.get(url).status_code == 200
    assert changed
    monkeypatch.undo()
    del client.cookies["sessionid"]

    body = client.get(url).content.decode()
    assert "OLDBODYWORDS" not in body
    assert "NEWBODYWORDS" in body
