"""Wagtail's own generic page writes (``POST /api/v3/pages/``, ``PATCH
/api/v3/pages/{id}/``) for every club page type: editors create and publish,
a spoiler block round-trips, members only draft, and a bad or missing field is
a 400 problem naming it, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Book, DiscussionPage, ReviewPage, SeriesPage
from tests.api.helpers import club_indexes
from tests.factories import (
    BookFactory,
    discussion_index,
    make_image,
    make_review,
    paragraph,
    review_index,
    series_index,
    spoiler,
    token_client,
)
from tests.fixtures.database import built_once
from tests.fixtures.people import built_groups

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("built")]

SECRET = "XYZZY-HOW-IT-ENDS"


def _create(client, page_type: str, parent, **fields):
    return client.post(
        "/api/v3/pages/",
        {"meta": {"type": page_type, "parent_id": parent.pk}, **fields},
        content_type="application/json",
    )


def _problem_fields(response) -> set[str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {str(part) for error in response.json()["errors"] for part in error["loc"]}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[int]:
    """What every test here writes into, built once for the module: the
    three published indexes, the club's groups (with their permissions on
    the review index) and the novel (its id). Each test's pages roll back
    after it."""
    with built_once(django_db_blocker):
        club_indexes()
        yield BookFactory(title="The Siege", chapter_count=30).pk


#: Read back from what ``built`` made, not ensured again for each test.
groups = built_groups()


@pytest.fixture
def novel(built: int) -> Book:
    return Book.objects.get(pk=built)


def _create_review(user, novel, **fields):
    return _create(
        token_client(user),
        "reviews.ReviewPage",
        review_index(),
        **_review_fields(novel, **fields),
    )


def _review_fields(novel, **fields) -> dict:
    return {
        "title": "A generic review",
        "book": novel.pk,
        "summary": "No plot here.",
        "body": [paragraph("Open text."), spoiler(novel, 12, "Chapter 12", SECRET)],
        "tags": ["war", "winter"],
        **fields,
    }


def test_an_editor_creates_a_review_whose_spoiler_round_trips(moderator, novel):
    api = token_client(moderator)
    response = _create(
        api, "reviews.ReviewPage", review_index(), **_review_fields(novel)
    )
    assert response.status_code == 201, response.content
    page_id = response.json()["id"]
    review = ReviewPage.objects.get(pk=page_id)
    assert review.book == novel
    assert not review.live

    read = api.get(f"/api/v3/pages/{page_id}/?version=draft&spoilers=show").json()
    assert read["book"]["id"] == novel.pk
    assert read["tags"] == ["war", "winter"]
    block = read["body"][1]
    assert block["type"] == "spoiler"
    assert block["value"]["spoils"] == {"id": novel.pk, "title": "The Siege"}
    assert block["value"]["chapter"] == 12
    assert block["value"]["label"] == "Chapter 12"
    assert block["value"]["hidden"] is False
    assert SECRET in block["value"]["content"][0]["value"]


def test_what_a_reader_got_can_be_sent_back(moderator, novel):
    """The spoiler's book as the API shows it ({id, title}) is accepted."""
    api = token_client(moderator)
    created = _create(
        api, "reviews.ReviewPage", review_index(), **_review_fields(novel)
    ).json()
    read = api.get(f"/api/v3/pages/{created['id']}/?version=draft&spoilers=show")
    body = read.json()["body"]
    response = api.patch(
        f"/api/v3/pages/{created['id']}/",
        {"body": body, "book": read.json()["book"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    again = api.get(f"/api/v3/pages/{created['id']}/?version=draft&spoilers=show")
    # Rich text gets fresh block keys; the blocks and the spoiler are the same.
    assert [(b["id"], b["type"]) for b in again.json()["body"]] == [
        (b["id"], b["type"]) for b in body
    ]
    kept, sent = again.json()["body"][1]["value"], body[1]["value"]
    assert (kept["spoils"], kept["chapter"], kept["label"]) == (
        sent["spoils"],
        sent["chapter"],
        sent["label"],
    )
    assert SECRET in kept["content"][0]["value"]


def test_an_editor_publishes_in_one_step(moderator, novel, client):
    response = _create(
        token_client(moderator),
        "reviews.ReviewPage",
        review_index(),
        meta={
            "type": "reviews.ReviewPage",
            "parent_id": review_index().pk,
            "action": "publish",
        },
        **_review_fields(novel),
    )
    assert response.status_code == 201, response.content
    page_id = response.json()["id"]
    assert ReviewPage.objects.get(pk=page_id).live
    anonymous = client.get(f"/api/v3/pages/{page_id}/")
    assert anonymous.status_code == 200
    assert SECRET not in anonymous.content.decode()


def test_a_member_creates_a_draft_of_their_own(club_member, novel):
    response = _create_review(club_member, novel)
    assert response.status_code == 201, response.content
    review = ReviewPage.objects.get(pk=response.json()["id"])
    assert not review.live
    assert review.owner == club_member
    assert review.reviewer == club_member


def test_a_member_never_publishes(club_member, novel):
    api = token_client(club_member)
    response = api.post(
        "/api/v3/pages/",
        {
            "meta": {
                "type": "reviews.ReviewPage",
                "parent_id": review_index().pk,
                "action": "publish",
            },
            **_review_fields(novel),
        },
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not ReviewPage.objects.filter(title="A generic review").exists()

    draft = make_review(book=novel, owner=club_member, live=False)
    response = api.patch(
        f"/api/v3/pages/{draft.pk}/",
        {"meta": {"action": "publish"}, "summary": "Changed."},
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    draft.refresh_from_db()
    assert not draft.live
    assert draft.summary != "Changed."


def test_a_member_never_edits_another_members_review(club_member, other_member, novel):
    theirs = make_review(book=novel, owner=other_member, live=False)
    response = token_client(club_member).patch(
        f"/api/v3/pages/{theirs.pk}/",
        {"summary": "Mine now."},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.summary != "Mine now."


def test_a_member_creates_no_discussion_or_series(club_member, novel):
    api = token_client(club_member)
    response = _create(
        api, "reviews.DiscussionPage", discussion_index(), **_discussion_fields(novel)
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    response = _create(
        api, "reviews.SeriesPage", series_index(), title="Mine", author="Me"
    )
    assert response.status_code == 403, response.content
    assert not DiscussionPage.objects.exists()
    assert not SeriesPage.objects.exists()


@pytest.mark.parametrize("missing", ["book", "summary", "title"])
def test_a_missing_review_field_is_named(moderator, novel, missing):
    fields = _review_fields(novel)
    del fields[missing]
    response = _create(
        token_client(moderator), "reviews.ReviewPage", review_index(), **fields
    )
    assert missing in _problem_fields(response)


@pytest.mark.parametrize(
    "block, where",
    [
        (
            {"type": "spoiler", "value": {"label": "x", "chapter": 0, "content": []}},
            "chapter",
        ),
        ({"type": "poem", "value": "x"}, "type"),
        ({"value": "no type"}, "0"),
        ({"type": "spoiler", "value": {"label": "x", "content": None}}, "content"),
        ({"type": "image", "value": {"image": 2**70, "caption": ""}}, "image"),
        # Ids of nothing: the image was stored empty, and a spoiler of no book
        # silently spoiled the reviewed book instead, under its chapters.
        ({"type": "image", "value": {"image": 987654, "caption": ""}}, "image"),
        (
            {
                "type": "spoiler",
                "value": {
                    "spoils": 987654,
                    "label": "x",
                    "content": [{"type": "paragraph", "value": "<p>x</p>"}],
                },
            },
            "spoils",
        ),
    ],
)
def test_a_malformed_body_block_is_a_400_saying_where(moderator, novel, block, where):
    response = _create_review(moderator, novel, body=[block])
    assert "body" in _problem_fields(response)
    assert where in response.json()["errors"][0]["msg"]


def test_a_spoiler_past_the_last_chapter_is_refused_by_the_models_rule(
    moderator, novel
):
    response = _create_review(
        moderator, novel, body=[spoiler(novel, 99, "Too far", SECRET)]
    )
    assert "body" in _problem_fields(response)
    assert SECRET not in response.content.decode()


def test_an_unknown_book_is_named(moderator, novel):
    response = _create_review(moderator, novel, book=987654)
    assert "book" in _problem_fields(response)


def test_a_member_may_not_use_an_image_they_may_not_see(club_member, novel):
    from wagtail.models import Collection, CollectionViewRestriction

    hidden = Collection.get_first_root_node().add_child(name="Committee only")
    CollectionViewRestriction.objects.create(
        collection=hidden, restriction_type=CollectionViewRestriction.LOGIN
    )
    image = make_image("Private photo")
    image.collection = hidden
    image.save()
    from django.contrib.auth.models import Group

    restriction = CollectionViewRestriction.objects.get(collection=hidden)
    restriction.restriction_type = CollectionViewRestriction.GROUPS
    restriction.save()
    restriction.groups.add(Group.objects.create(name="Committee"))
    block = {
        "type": "image",
        "value": {"image": image.pk, "caption": "Mine"},
    }
    response = _create_review(club_member, novel, body=[block])
    assert "body" in _problem_fields(response)
    assert "Private photo" not in response.content.decode()


def _discussion_fields(book, **fields) -> dict:
    return {
        "title": "Winter meeting",
        "book": book.pk,
        "starts_at": (timezone.now() + timedelta(days=9)).isoformat(),
        "location": "The library",
        "questions": [
            {
                "type": "question",
                "value": {"question": "Open?", "book": None, "chapter": None},
            },
            {
                "type": "question",
                "value": {"question": SECRET, "book": book.pk, "chapter": 20},
            },
        ],
        **fields,
    }


def test_an_editor_creates_a_discussion_with_gated_questions(moderator, novel):
    api = token_client(moderator)
    response = _create(
        api, "reviews.DiscussionPage", discussion_index(), **_discussion_fields(novel)
    )
    assert response.status_code == 201, response.content
    discussion = DiscussionPage.objects.get(pk=response.json()["id"])
    assert discussion.book == novel
    assert discussion.location == "The library"
    read = api.get(f"/api/v3/pages/{discussion.pk}/?version=draft").json()
    assert read["questions"][1]["value"]["hidden"] is True
    assert read["questions"][1]["value"]["chapter"] == 20
    assert SECRET not in str(read)


def test_a_question_about_no_book_is_a_400_saying_where(moderator, novel):
    # It was stored as a question about the discussion's own book, gated by
    # that book's chapters.
    fields = _discussion_fields(novel)
    fields["questions"][1]["value"]["book"] = 987654
    response = _create(
        token_client(moderator), "reviews.DiscussionPage", discussion_index(), **fields
    )
    assert "questions" in _problem_fields(response)
    assert "1.value.book" in response.json()["errors"][0]["msg"]
    assert SECRET not in response.content.decode()


def test_a_discussion_without_place_or_link_names_both_fields(moderator, novel):
    fields = _discussion_fields(novel)
    del fields["location"]
    response = _create(
        token_client(moderator), "reviews.DiscussionPage", discussion_index(), **fields
    )
    assert {"location", "online_url"} <= _problem_fields(response)


@pytest.mark.parametrize("missing", ["book", "starts_at"])
def test_a_missing_discussion_field_is_named(moderator, novel, missing):
    fields = _discussion_fields(novel)
    del fields[missing]
    response = _create(
        token_client(moderator), "reviews.DiscussionPage", discussion_index(), **fields
    )
    assert missing in _problem_fields(response)


def test_an_editor_creates_a_series_in_reading_order(moderator, novel):
    sequel = BookFactory(title="The Betrayal")
    api = token_client(moderator)
    response = _create(
        api,
        "reviews.SeriesPage",
        series_index(),
        title="Leningrad",
        author="Helen Dunmore",
        entries=[
            {"book": {"id": sequel.pk}, "position": 2},
            {"book": novel.pk, "position": 1},
        ],
    )
    assert response.status_code == 201, response.content
    series = SeriesPage.objects.get(pk=response.json()["id"])
    assert [entry.book for entry in series.ordered_entries()] == [novel, sequel]
    read = api.get(f"/api/v3/pages/{series.pk}/?version=draft").json()
    assert [book["title"] for book in read["books"]] == ["The Siege", "The Betrayal"]


def test_a_series_without_author_is_named(moderator, novel):
    response = _create(
        token_client(moderator),
        "reviews.SeriesPage",
        series_index(),
        title="Anonymous",
        entries=[{"book": novel.pk, "position": 1}],
    )
    assert "author" in _problem_fields(response)


def test_an_editor_edits_an_index_introduction(moderator):
    index = review_index()
    response = token_client(moderator).patch(
        f"/api/v3/pages/{index.pk}/",
        {"intro": "All our reviews."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["intro"] == "All our reviews."


def _stored_spoilers(page_id: int) -> list[dict]:
    latest = ReviewPage.objects.get(pk=page_id).get_latest_revision_as_object()
    return [block for block in latest.body.raw_data if block["type"] == "spoiler"]


@pytest.fixture
def drafted(club_member, novel):
    """A member's draft whose spoiler (chapter 12) its writer has not reached."""
    return make_review(
        book=novel,
        owner=club_member,
        live=False,
        body=[paragraph("Open text."), spoiler(novel, 12, "Chapter 12", SECRET)],
    )


@pytest.mark.parametrize("who", ["club_member", "moderator"])
def test_a_hidden_spoiler_sent_back_keeps_its_content(request, drafted, who):
    """A client sends back the body as it read it, the spoiler hidden
    (``content: null``): the stored content stays, and the answer follows the
    spoiler rule for that reader."""
    api = token_client(request.getfixturevalue(who))
    body = api.get(f"/api/v3/pages/{drafted.pk}/?version=draft").json()["body"]
    assert body[1]["value"]["hidden"] is True
    assert body[1]["value"]["content"] is None
    body[0] = paragraph("Changed opinion.")
    body[1]["value"]["label"] = "Late in the siege"

    response = api.patch(
        f"/api/v3/pages/{drafted.pk}/", {"body": body}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert SECRET not in response.content.decode()
    shown = response.json()["body"][1]["value"]
    assert (shown["hidden"], shown["content"]) == (True, None)
    assert shown["label"] == "Late in the siege"
    (stored,) = _stored_spoilers(drafted.pk)
    assert stored["id"] == body[1]["id"]
    assert stored["value"]["label"] == "Late in the siege"
    assert SECRET in str(stored["value"]["content"])
    assert "Changed opinion." in str(
        ReviewPage.objects.get(pk=drafted.pk).get_latest_revision_as_object().body
    )


def test_the_patch_answer_shows_the_spoiler_to_who_asked_to_see_it(moderator, drafted):
    api = token_client(moderator)
    body = api.get(f"/api/v3/pages/{drafted.pk}/?version=draft").json()["body"]
    response = api.patch(
        f"/api/v3/pages/{drafted.pk}/?spoilers=show",
        {"body": body},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert SECRET in response.json()["body"][1]["value"]["content"][0]["value"]


@pytest.mark.parametrize("block_id", ["not-a-stored-spoiler", None])
def test_a_hidden_spoiler_that_matches_none_stored_is_a_400_saying_where(
    moderator, drafted, block_id
):
    api = token_client(moderator)
    body = api.get(f"/api/v3/pages/{drafted.pk}/?version=draft").json()["body"]
    if block_id is None:
        del body[1]["id"]
    else:
        body[1]["id"] = block_id
    response = api.patch(
        f"/api/v3/pages/{drafted.pk}/", {"body": body}, content_type="application/json"
    )
    assert "body" in _problem_fields(response)
    assert "1.value.content" in response.json()["errors"][0]["msg"]
    assert SECRET not in response.content.decode()
    assert SECRET in str(_stored_spoilers(drafted.pk)[0]["value"]["content"])


def test_a_new_page_cannot_send_a_spoiler_hidden(moderator, novel):
    hidden = {
        "type": "spoiler",
        "id": "c0ffee00-0000-4000-8000-000000000000",
        "value": {"spoils": None, "chapter": 3, "label": "x", "content": None},
    }
    response = _create_review(moderator, novel, body=[hidden])
    assert "body" in _problem_fields(response)
    assert "0.value.content" in response.json()["errors"][0]["msg"]


def _public_id(user) -> str:
    from reviews.models.members import public_id_of

    return public_id_of(user)


@pytest.mark.parametrize("as_shown", [False, True])
def test_an_editor_names_the_reviewer_by_public_id(
    moderator, club_member, novel, as_shown
):
    reviewer = (
        {"id": _public_id(club_member), "display_name": "Bea Lane"}
        if as_shown
        else _public_id(club_member)
    )
    response = _create_review(moderator, novel, reviewer=reviewer)
    assert response.status_code == 201, response.content
    assert response.json()["reviewer"]["id"] == _public_id(club_member)
    review = ReviewPage.objects.get(pk=response.json()["id"])
    assert review.reviewer == club_member
    assert review.owner == moderator


def _patch_reviewer(user, page, reviewer):
    """PATCH ``page``'s reviewer as ``user``; the response and the reviewer
    of the page's latest revision after it."""
    response = token_client(user).patch(
        f"/api/v3/pages/{page.pk}/",
        {"reviewer": _public_id(reviewer)},
        content_type="application/json",
    )
    latest = ReviewPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    return response, latest.reviewer


def test_an_editor_changes_the_reviewer(moderator, club_member, other_member, novel):
    draft = make_review(book=novel, owner=club_member, live=False)
    response, reviewer = _patch_reviewer(moderator, draft, other_member)
    assert response.status_code == 200, response.content
    assert reviewer == other_member


@pytest.mark.parametrize("reviewer", ["no-such-id", "", 42])
def test_an_unknown_reviewer_is_a_400_naming_the_field(moderator, novel, reviewer):
    response = _create_review(moderator, novel, reviewer=reviewer)
    assert "reviewer" in _problem_fields(response)
    if reviewer == "no-such-id":
        assert "'no-such-id'" in response.json()["errors"][0]["msg"]
    assert not ReviewPage.objects.filter(title="A generic review").exists()


def test_a_reviewer_who_writes_no_reviews_is_refused(moderator, novel):
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider")
    response = _create_review(moderator, novel, reviewer=_public_id(outsider))
    assert "reviewer" in _problem_fields(response)


def test_a_member_never_names_another_reviewer(club_member, other_member, novel):
    response = _create_review(club_member, novel, reviewer=_public_id(other_member))
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "reviewer" in response.json()["detail"]
    assert not ReviewPage.objects.filter(title="A generic review").exists()

    own = make_review(book=novel, owner=club_member, live=False)
    response, reviewer = _patch_reviewer(club_member, own, other_member)
    assert response.status_code == 403, response.content
    assert reviewer == club_member


def test_a_member_may_name_themselves(club_member, novel):
    response = _create_review(club_member, novel, reviewer=_public_id(club_member))
    assert response.status_code == 201, response.content
    review = ReviewPage.objects.get(pk=response.json()["id"])
    assert review.reviewer == club_member


def test_who_may_not_edit_learns_nothing_of_the_stored_spoilers(
    other_member, club_member, novel
):
    """Another member sends a hidden spoiler to a review they may read but
    not edit: Wagtail's 403, whether the id matches a stored spoiler or not."""
    review = make_review(
        book=novel,
        owner=club_member,
        body=[paragraph("Open text."), spoiler(novel, 12, "Chapter 12", SECRET)],
    )
    api = token_client(other_member)
    body = api.get(f"/api/v3/pages/{review.pk}/").json()["body"]
    answers = []
    for block_id in (body[1]["id"], "not-a-stored-spoiler"):
        body[1]["id"] = block_id
        response = api.patch(
            f"/api/v3/pages/{review.pk}/",
            {"body": body},
            content_type="application/json",
        )
        answers.append((response.status_code, response.json()["detail"]))
        assert SECRET not in response.content.decode()
    assert answers[0] == answers[1]
    assert answers[0][0] == 403


def test_a_patch_without_the_body_leaves_it_alone(editor, drafted):
    response = token_client(editor).patch(
        f"/api/v3/pages/{drafted.pk}/",
        {"summary": "Only this."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    latest = ReviewPage.objects.get(pk=drafted.pk).get_latest_revision_as_object()
    assert latest.summary == "Only this."
    assert SECRET in str(latest.body.raw_data)


@pytest.mark.parametrize(
    "starts_at",
    ["0001-01-01T00:00:30Z", "9999-12-31T23:59:00-12:00", "1850-06-01T19:00Z"],
)
def test_a_meeting_out_of_any_calendar_is_refused_by_create_and_change(
    moderator, novel, client, starts_at
):
    """A discussion dated in year 1 was kept as a draft, after which its
    admin edit page was a 500 (the club's time zone cannot shift year 1)
    and every later change of it a 400: a meeting is in 1900–2999."""
    api = token_client(moderator)
    fields = _discussion_fields(novel) | {"starts_at": starts_at}
    created = _create(api, "reviews.DiscussionPage", discussion_index(), **fields)
    assert created.status_code == 400
    assert "starts_at" in _problem_fields(created)

    made = _create(
        api, "reviews.DiscussionPage", discussion_index(), **_discussion_fields(novel)
    )
    pk = made.json()["id"]
    changed = api.patch(
        f"/api/v3/pages/{pk}/",
        {"starts_at": starts_at},
        content_type="application/json",
    )
    assert changed.status_code == 400
    assert "starts_at" in _problem_fields(changed)
    client.force_login(moderator)
    assert client.get(f"/admin/pages/{pk}/edit/").status_code == 200
