"""``/api/v3/progress/``: a member's own progress, never anyone else's."""

from __future__ import annotations

import pytest

from reviews.models import ReadingProgress
from tests.api.helpers import SECRET
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_review,
    spoiler,
    token_client,
)

pytestmark = pytest.mark.django_db


def put(api, url, data):
    return api.put(url, data, content_type="application/json")


def test_member_records_progress_and_it_reveals_spoilers():
    book = BookFactory(chapter_count=20)
    page = make_review(book=book, body=[spoiler(book, 8, "Eight", SECRET)])
    member = UserFactory()
    api = token_client(member)
    review_url = f"/api/v3/reviews/{page.pk}/"
    assert SECRET not in api.get(review_url).content.decode()

    response = put(api, f"/api/v3/progress/{book.pk}/", {"chapter": 8})

    assert response.status_code == 200, response.content
    assert response.json()["chapter"] == 8
    assert ReadingProgress.objects.get(member=member, book=book).chapter == 8
    assert SECRET in api.get(review_url).content.decode()
    listed = api.get("/api/v3/progress/").json()
    assert [item["book"]["id"] for item in listed["items"]] == [book.pk]


def test_other_members_progress_never_shows():
    book = BookFactory()
    ReadingProgressFactory(member=UserFactory(), book=book, finished=True)
    api = token_client(UserFactory())

    assert api.get("/api/v3/progress/").json() == {"count": 0, "items": []}
    assert api.get(f"/api/v3/progress/{book.pk}/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"chapter": 21},
        {"chapter": 0},
        {"chapter": "x"},
        {"finished": "maybe"},
        {"started_at": "2024-05-02", "finished_at": "2024-05-01"},
        # JSON types as sent: true was read as chapter 1, "3" as chapter 3.
        {"chapter": True},
        {"chapter": "3"},
        {"chapter": 3.0},
        {"finished": 1},
        {"finished": "true"},
    ],
)
def test_bad_progress_is_400(data):
    book = BookFactory(chapter_count=20)
    response = put(token_client(UserFactory()), f"/api/v3/progress/{book.pk}/", data)
    assert response.status_code == 400, response.content
    assert not ReadingProgress.objects.exists()


def test_progress_needs_a_token(client):
    book = BookFactory()
    assert client.get("/api/v3/progress/").status_code == 401
    assert (
        put(client, f"/api/v3/progress/{book.pk}/", {"chapter": 1}).status_code == 401
    )


def test_unknown_book_is_404():
    assert (
        put(token_client(UserFactory()), "/api/v3/progress/999999/", {}).status_code
        == 404
    )


def patch(api, url, data):
    return api.patch(url, data, content_type="application/json")


def test_patch_changes_only_the_fields_sent():
    book = BookFactory(chapter_count=20)
    member = UserFactory()
    api = token_client(member)
    url = f"/api/v3/progress/{book.pk}/"
    put(api, url, {"chapter": 3, "started_at": "2024-05-01"})

    response = patch(api, url, {"chapter": 9})

    assert response.status_code == 200, response.content
    assert response.json()["chapter"] == 9
    assert response.json()["started_at"] == "2024-05-01"
    progress = ReadingProgress.objects.get(member=member, book=book)
    assert (progress.chapter, str(progress.started_at)) == (9, "2024-05-01")


def test_patch_records_new_progress_and_checks_it_like_put():
    book = BookFactory(chapter_count=20)
    member = UserFactory()
    api = token_client(member)
    url = f"/api/v3/progress/{book.pk}/"

    assert patch(api, url, {"chapter": 21}).status_code == 400
    assert patch(api, url, {"finished": True}).status_code == 200
    assert ReadingProgress.objects.get(member=member, book=book).finished
    put(api, url, {"started_at": "2024-05-02"})
    assert patch(api, url, {"finished_at": "2024-05-01"}).status_code == 400
    assert patch(api, url, [1]).status_code == 400


def test_put_replaces_the_whole_record_and_says_so(client):
    book = BookFactory(chapter_count=20)
    member = UserFactory()
    api = token_client(member)
    url = f"/api/v3/progress/{book.pk}/"
    put(api, url, {"chapter": 3, "started_at": "2024-05-01"})

    assert put(api, url, {"chapter": 9}).json()["started_at"] is None

    operations = client.get("/api/v3/openapi.json").json()["paths"][
        "/api/v3/progress/{book_id}/"
    ]
    assert "replaces" in operations["put"]["description"].lower()
    assert "patch" in operations


def test_a_first_save_that_races_another_lands_on_the_record_it_made():
    """Two first saves of one book at once (two tabs): the second finds the
    record the first made between its lookup and its insert. It lands its
    change there; it is no error, and no second record."""
    from django.db.models.signals import pre_save

    book = BookFactory(chapter_count=20)
    member = UserFactory()
    raced = []

    def the_other_tab_saves_first(sender, instance, **kwargs):
        if instance.pk is None and not raced:
            raced.append(True)
            ReadingProgress.objects.create(member=member, book=book, chapter=2)

    pre_save.connect(the_other_tab_saves_first, sender=ReadingProgress)
    try:
        response = put(
            token_client(member), f"/api/v3/progress/{book.pk}/", {"chapter": 5}
        )
    finally:
        pre_save.disconnect(the_other_tab_saves_first, sender=ReadingProgress)

    assert raced
    assert response.status_code == 200, response.content
    assert response.json()["chapter"] == 5
    assert ReadingProgress.objects.get(member=member, book=book).chapter == 5
