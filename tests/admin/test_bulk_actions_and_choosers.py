"""Wagtail's bulk-action pages and snippet choosers name nothing a member
may not know exists.

A bulk action's confirmation page (``/admin/bulk/<app>/<model>/<action>/
?id=…``) lists every object whose id the address names, those the user
may not act on included ("You don't have permission to …"), and a snippet
chooser lists every object of its model: Wagtail checks what a user may
*do*, not what they may know. Ids can be counted up, so a member read other
members' draft and pending titles, restricted pages, others' reading
progress, comments beyond their progress and removed ones, and media
nobody showed them. Each raw response here is checked for every canary.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, User
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from reviews.models import (
    Book,
    DiscussionComment,
    DocumentApproval,
    ImageApproval,
    NominationRound,
    ReadingProgress,
    ReviewIndexPage,
    Webhook,
    WebhookDelivery,
)
from reviews.roles import ensure_groups
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    make_discussion,
    make_image,
    review_index,
)
from tests.fixtures.database import built_once

from .conftest import (
    HIDDEN_TITLES,
    OWN_DRAFT_TITLE,
    AdminPages,
    assert_hides_others,
    build_pages,
    make_alice,
    make_bruno,
)

pytestmark = pytest.mark.django_db

BOOK_TITLE = "Marmot mysteries"
PROGRESS_BOOK = "Bruno secret reading gecko"
GATED_COMMENT = "Chapter eighteen ocelot"
REMOVED_COMMENT = "Removed comment axolotl"
HIDDEN_IMAGE = "Bruno unseen image tapir"
HIDDEN_DOCUMENT = "Bruno unseen document okapi"
OWN_IMAGE = "Alice own image lemur"
SECTION_HOLDER = "Unpublished holder armadillo"
SECTION_INDEX = "Hidden index pangolin"
#: Every canary outside the pages' titles.
CANARIES = (
    PROGRESS_BOOK,
    GATED_COMMENT,
    REMOVED_COMMENT,
    HIDDEN_IMAGE,
    HIDDEN_DOCUMENT,
    SECTION_HOLDER,
    SECTION_INDEX,
)


def _document(title: str, owner: User):
    from django.core.files.base import ContentFile

    return get_document_model().objects.create(
        title=title,
        file=ContentFile(b"minutes", name="minutes.txt"),
        uploaded_by_user=owner,
    )


#: An id past the range of every id column.
HUGE = "99999999999999999999999"


@pytest.fixture(scope="module")
def club(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """Alice and Bruno, members; Bruno's pages (tests/admin/conftest.py),
    his progress, a discussion with a gated and a removed comment, and media
    only Bruno has seen. Built once; what a test writes rolls back."""
    with built_once(django_db_blocker):
        groups = ensure_groups(review_index())
        alice, bruno = make_alice(groups), make_bruno(groups)
        pages = build_pages(alice, bruno)
        book = BookFactory(title=BOOK_TITLE, chapter_count=30)
        progress = ReadingProgressFactory(
            member=bruno, book=BookFactory(title=PROGRESS_BOOK), chapter=3
        )
        discussion = make_discussion(book=book)
        gated = DiscussionComment.objects.create(
            page=discussion, author=bruno, body=GATED_COMMENT, chapter=18
        )
        removed = DiscussionComment.objects.create(
            page=discussion, author=bruno, body=REMOVED_COMMENT
        )
        removed.remove(moderator=None)
        image = make_image(HIDDEN_IMAGE)
        image.uploaded_by_user = bruno
        image.save()
        own_image = make_image(OWN_IMAGE)
        own_image.uploaded_by_user = alice
        own_image.save()
        document = _document(HIDDEN_DOCUMENT, bruno)
        # A section an editor unpublished without its pages: Wagtail still
        # serves the index below the plain page, but no listing names it.
        holder = Page(title=SECTION_HOLDER, slug="old-holder")
        pages.index.get_parent().add_child(instance=holder)
        holder.save_revision().publish()
        section = ReviewIndexPage(title=SECTION_INDEX, slug="old-index")
        holder.add_child(instance=section)
        section.save_revision().publish()
        holder.unpublish()
        yield {
            "groups": groups,
            "alice": alice,
            "bruno": bruno,
            "pages": pages,
            "ids": {
                ReadingProgress: [progress.pk],
                DiscussionComment: [gated.pk, removed.pk],
                "image": [image.pk, own_image.pk],
                "document": [document.pk],
                "section": [holder.pk, section.pk],
            },
        }


@pytest.fixture
def pages(club) -> AdminPages:
    return club["pages"].from_database()


@pytest.fixture
def as_alice(client, club):
    client.force_login(User.objects.get(pk=club["alice"].pk))
    return client


@pytest.fixture
def as_editor(client, club):
    from reviews.roles import EDITORS
    from tests.factories import user_in

    client.force_login(
        user_in(Group.objects.get(name=EDITORS), "edith", first_name="Edith")
    )
    return client


def _query(ids) -> str:
    return "&".join(f"id={pk}" for pk in ids)


def _page_ids(pages: AdminPages) -> list[int]:
    return [
        pages.draft.pk,
        pages.pending.pk,
        pages.login_only.pk,
        pages.password_only.pk,
        pages.own_draft.pk,
    ]


def assert_names_nothing_hidden(body: bytes) -> None:
    assert_hides_others(body)
    for canary in CANARIES:
        assert canary.encode() not in body, canary


@pytest.mark.parametrize("action", ["delete", "publish", "unpublish", "move"])
@pytest.mark.parametrize("select", ["by id", "all"])
def test_a_page_bulk_action_names_only_pages_the_member_may_see(
    as_alice, pages, action, select
):
    """Pages named by id, or ``id=all`` with ``childOf`` (the explorer's
    "select all")."""
    query = (
        _query(_page_ids(pages))
        if select == "by id"
        else f"id=all&childOf={pages.index.pk}"
    )
    response = as_alice.get(f"/admin/bulk/wagtailcore/page/{action}/?{query}")
    assert response.status_code == 200
    assert_names_nothing_hidden(response.content)
    # Her own draft is still there to act on, or to be told she may not.
    assert OWN_DRAFT_TITLE.encode() in response.content


def test_a_page_bulk_action_of_hidden_pages_only_is_missing(as_alice, pages):
    hidden = [pages.draft.pk, pages.login_only.pk]
    response = as_alice.get(f"/admin/bulk/wagtailcore/page/delete/?{_query(hidden)}")
    assert response.status_code == 404
    assert_names_nothing_hidden(response.content)


def test_an_editor_is_still_told_of_every_page(as_editor, pages):
    """The control: the titles are there for someone who may see them."""
    url = f"/admin/bulk/wagtailcore/page/delete/?{_query(_page_ids(pages))}"
    body = as_editor.get(url).content
    for title in HIDDEN_TITLES:
        assert title.encode() in body, title


@pytest.mark.parametrize(
    ("model", "action"),
    [
        (ReadingProgress, "delete"),
        (DiscussionComment, "delete"),
        (User, "delete"),
        (User, "set_active_state"),
    ],
)
def test_a_bulk_action_on_a_model_the_member_holds_no_permission_on_is_missing(
    as_alice, club, model, action
):
    ids = club["ids"].get(model) or [club["bruno"].pk, club["alice"].pk]
    label = model._meta
    url = f"/admin/bulk/{label.app_label}/{label.model_name}/{action}/?{_query(ids)}"
    response = as_alice.get(url)
    # Wagtail's own users' actions send her back to the dashboard first.
    assert response.status_code == (302 if model is User else 404)
    assert_names_nothing_hidden(response.content)
    assert b"bruno" not in response.content.lower()


def test_an_editor_still_bulk_deletes_reading_progress(as_editor, club):
    ids = club["ids"][ReadingProgress]
    response = as_editor.get(
        f"/admin/bulk/reviews/readingprogress/delete/?{_query(ids)}"
    )
    assert response.status_code == 200
    assert PROGRESS_BOOK.encode() in response.content


@pytest.mark.parametrize("kind", ["image", "document"])
def test_a_media_bulk_action_names_only_media_the_member_may_see(as_alice, club, kind):
    model = get_image_model() if kind == "image" else get_document_model()
    ids = club["ids"][kind]
    label = model._meta
    url = f"/admin/bulk/{label.app_label}/{label.model_name}/delete/?{_query(ids)}"
    response = as_alice.get(url)
    assert response.status_code in (200, 404)
    assert_names_nothing_hidden(response.content)
    if kind == "image":
        assert OWN_IMAGE.encode() in response.content


#: Snippets a member holds no permission on, so may not list.
CLOSED_SNIPPETS = (
    ReadingProgress,
    DiscussionComment,
    DocumentApproval,
    ImageApproval,
    NominationRound,
    Webhook,
    WebhookDelivery,
)


def _chooser(model, view: str = "", pk: int | None = None) -> str:
    label = model._meta
    url = f"/admin/snippets/choose/{label.app_label}/{label.model_name}/"
    return url + (f"chosen/{pk}/" if pk is not None else view)


@pytest.mark.parametrize("model", CLOSED_SNIPPETS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["", "results/", "results/?q=o"])
def test_a_snippet_chooser_the_member_holds_no_permission_on_is_missing(
    as_alice, model, view
):
    response = as_alice.get(_chooser(model, view))
    assert response.status_code == 404
    assert_names_nothing_hidden(response.content)


@pytest.mark.parametrize("model", [ReadingProgress, DiscussionComment])
def test_choosing_one_closed_snippet_by_id_is_missing(as_alice, club, model):
    for pk in club["ids"][model]:
        response = as_alice.get(_chooser(model, pk=pk))
        assert response.status_code == 404
        assert_names_nothing_hidden(response.content)


def test_the_book_chooser_still_answers_a_member_writing_a_review(as_alice, club):
    """Members choose the book their review is about; books are public."""
    response = as_alice.get(_chooser(Book, "results/"), {"q": "Marmot"})
    assert response.status_code == 200
    assert BOOK_TITLE.encode() in response.content


def test_an_editor_still_chooses_comments(as_editor, club):
    response = as_editor.get(_chooser(DiscussionComment))
    assert response.status_code == 200
    assert GATED_COMMENT.encode() in response.content


def test_choosing_pages_by_id_names_none_the_member_may_not_see(as_alice, club, pages):
    hidden = [pages.draft.pk, pages.login_only.pk, *club["ids"]["section"]]
    url = f"/admin/choose-page/chosen-multiple/?{_query(hidden)}"
    response = as_alice.get(url)
    assert response.status_code == 404
    assert_names_nothing_hidden(response.content)
    own = f"/admin/choose-page/chosen-multiple/?id={pages.own_draft.pk}"
    assert OWN_DRAFT_TITLE.encode() in as_alice.get(own).content


@pytest.mark.parametrize("query", ["pangolin", "armadillo"])
def test_the_page_chooser_search_names_nothing_in_an_unpublished_section(
    as_alice, club, query
):
    response = as_alice.get("/admin/choose-page/search/", {"q": query})
    assert response.status_code == 200
    assert_names_nothing_hidden(response.content)


@pytest.mark.parametrize("kind", ["images", "documents"])
def test_the_admin_api_lists_only_media_the_member_may_see(as_alice, club, kind):
    hidden = club["ids"]["image" if kind == "images" else "document"][0]
    listing = as_alice.get(f"/admin/api/main/{kind}/", {"limit": 50})
    assert listing.status_code == 200
    assert_names_nothing_hidden(listing.content)
    if kind == "images":
        assert OWN_IMAGE.encode() in listing.content
    detail = as_alice.get(f"/admin/api/main/{kind}/{hidden}/")
    assert detail.status_code == 404
    assert_names_nothing_hidden(detail.content)


@pytest.mark.parametrize("kind", ["images", "documents"])
def test_a_hidden_medium_looks_missing_to_the_media_admin(as_alice, club, kind):
    """Not a redirect for a medium that exists and a 404 for one that does
    not: the difference would say which ids exist."""
    hidden = club["ids"]["image" if kind == "images" else "document"][0]
    url = f"/admin/{kind}/chooser/chosen/{{}}/"
    assert as_alice.get(url.format(hidden)).status_code == 404
    assert as_alice.get(url.format(hidden + 10_000)).status_code == 404


#: Every media admin view that names one image or document in its address.
MEDIUM_ADDRESSES = [
    ("image", "/admin/images/{}/"),
    ("image", "/admin/images/{}/delete/"),
    ("image", "/admin/images/usage/{}/"),
    ("image", "/admin/images/multiple/{}/"),
    ("image", "/admin/images/multiple/{}/delete/"),
    ("image", "/admin/images/{}/generate_url/"),
    ("image", "/admin/images/chooser/{}/select_format/"),
    ("document", "/admin/documents/edit/{}/"),
    ("document", "/admin/documents/delete/{}/"),
    ("document", "/admin/documents/usage/{}/"),
    ("document", "/admin/documents/multiple/{}/"),
    ("document", "/admin/documents/multiple/{}/delete/"),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("kind", "address"), MEDIUM_ADDRESSES)
def test_every_media_admin_view_answers_a_hidden_medium_as_a_missing_one(
    as_alice, club, kind, address, method
):
    """Members upload documents now, and reach the views of the multiple
    upload, whose documents are named ``doc_id``: a hidden document's
    answer there was a redirect, a missing one's a 404."""
    hidden = club["ids"][kind][0]
    send = getattr(as_alice, method)
    answer = send(address.format(hidden))
    missing = send(address.format(hidden + 10_000))
    assert answer.status_code == missing.status_code, answer
    assert_names_nothing_hidden(answer.content)


def test_a_bulk_move_names_no_destination_the_member_may_not_see(as_alice, club, pages):
    url = f"/admin/bulk/wagtailcore/page/move/?id={pages.own_draft.pk}"
    for destination in (pages.draft.pk, pages.login_only.pk, *club["ids"]["section"]):
        response = as_alice.post(url, {"chooser": destination})
        assert response.status_code in (200, 404)
        assert_names_nothing_hidden(response.content)


@pytest.mark.parametrize(
    "query",
    ["id=all&childOf=999999", "id=abc", "id=all&childOf=abc", "id=all&childOf={draft}"],
)
def test_a_bulk_action_with_a_missing_hidden_or_malformed_id_is_missing(
    as_alice, pages, query
):
    url = "/admin/bulk/wagtailcore/page/delete/?" + query.format(draft=pages.draft.pk)
    response = as_alice.get(url)
    assert response.status_code == 404
    assert_names_nothing_hidden(response.content)


def test_an_editor_still_moves_pages_in_bulk(as_editor, pages):
    """The control: a destination the user may know of is still chosen."""
    from tests.factories import site_root

    shelf = site_root().add_child(instance=ReviewIndexPage(title="Shelf", slug="shelf"))
    url = f"/admin/bulk/wagtailcore/page/move/?id={pages.draft.pk}"
    response = as_editor.post(url, {"chooser": shelf.pk})
    assert response.status_code == 302
    assert Page.objects.get(pk=pages.draft.pk).get_parent().pk == shelf.pk


def test_the_copy_form_names_no_destination_the_member_may_not_see(
    as_alice, club, pages
):
    """Wagtail's copy form said 'You do not have permission to copy to page
    "…"' with the title of any page whose id was posted."""
    url = f"/admin/pages/{pages.own_draft.pk}/copy/"
    hidden = (pages.draft.pk, pages.login_only.pk, *club["ids"]["section"])
    for destination in (*hidden, 999_999):
        response = as_alice.post(
            url,
            {"new_title": "Copy", "new_slug": "copy", "new_parent_page": destination},
        )
        # The same for a page that does not exist (Wagtail's own answer to
        # that was a 500).
        assert response.status_code == 404
        assert_names_nothing_hidden(response.content)


@pytest.mark.parametrize("destination", ["999999", "abc", HUGE, "", None])
def test_a_copy_to_a_page_that_does_not_exist_is_missing_for_the_superuser(
    client, pages, destination
):
    """Wagtail's copy view reads the posted destination before its form, so
    one that names no page (or none at all) was a 500, even for the
    superuser."""
    from django.contrib.auth.models import User as Users

    client.force_login(Users.objects.create_superuser("root", "r@example.org", "x"))
    form = {"new_title": "Copy", "new_slug": "copy"}
    if destination is not None:
        form["new_parent_page"] = destination
    response = client.post(f"/admin/pages/{pages.own_draft.pk}/copy/", form)
    assert response.status_code == 404


def test_the_superuser_still_copies_a_page(client, pages):
    """The control: a destination that exists is copied to."""
    from django.contrib.auth.models import User as Users

    client.force_login(Users.objects.create_superuser("root", "r@example.org", "x"))
    destination = pages.own_draft.get_parent().pk
    response = client.post(
        f"/admin/pages/{pages.own_draft.pk}/copy/",
        {
            "new_title": "Copy",
            "new_slug": "a-fresh-copy",
            "new_parent_page": destination,
        },
    )
    assert response.status_code == 302
    assert Page.objects.filter(slug="a-fresh-copy").exists()


def test_a_pasted_address_of_the_site_stays_an_external_link(as_alice, pages):
    """Wagtail turned it into a link to the page it routes to, named by its
    draft title: a restricted page's title, another member's pending one."""
    for page in (pages.pending, pages.login_only):
        response = as_alice.post(
            "/admin/choose-external-link/",
            {"external-link-chooser-url": f"http://localhost{page.url}?x=1"},
        )
        assert response.status_code == 200
        assert_names_nothing_hidden(response.content)
        assert response.json()["step"] == "external_link_chosen"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/{id}/revisions/compare/earliest...latest/",
        "/admin/workflows/remove/{id}/",
    ],
)
def test_a_hidden_page_named_in_any_argument_answers_as_a_missing_one(
    as_alice, pages, url
):
    """A redirect for a page that exists and a 404 for one that does not
    would say which ids exist."""
    for page_id in (pages.draft.pk, pages.login_only.pk, 999_999):
        response = as_alice.get(url.format(id=page_id))
        assert response.status_code == 404, page_id


def test_an_admin_api_action_to_a_hidden_destination_answers_as_a_missing_one(
    as_alice, pages
):
    url = f"/admin/api/main/pages/{pages.own_draft.pk}/action/move/"
    statuses = {
        as_alice.post(
            url, {"destination_page_id": page_id}, content_type="application/json"
        ).status_code
        for page_id in (pages.draft.pk, pages.login_only.pk, 999_999)
    }
    assert statuses == {404}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/api/main/pages/?search=%00",
        "/admin/api/main/images/?search=a%00b",
        "/admin/snippets/choose/reviews/book/chosen/abc/",
        "/admin/snippets/choose/reviews/book/chosen-multiple/?id=abc",
        "/admin/images/chooser/chosen-multiple/?id=abc",
    ],
)
def test_malformed_admin_input_is_not_a_500(client, club, url):
    """For a member and for the superuser alike."""
    from django.contrib.auth.models import User as Users

    for user in (
        User.objects.get(pk=club["alice"].pk),
        Users.objects.create_superuser("root", "root@example.org", "x"),
    ):
        client.force_login(user)
        assert client.get(url).status_code in (400, 404), (url, user)


def test_an_editing_session_of_a_malformed_id_is_missing(as_alice):
    response = as_alice.post("/admin/editing-sessions/ping/wagtailcore/page/abc/1/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", f"/admin/pages/{HUGE}/edit/", None),
        ("get", f"/admin/pages/{HUGE}/", None),
        ("get", f"/admin/pages/{HUGE}/revisions/compare/earliest...latest/", None),
        ("get", f"/admin/api/main/pages/{HUGE}/", None),
        ("get", f"/admin/choose-page/chosen-multiple/?id={HUGE}", None),
        ("get", f"/admin/bulk/wagtailcore/page/delete/?id={HUGE}", None),
        (
            "post",
            "/admin/api/main/pages/{own}/action/move/",
            {"destination_page_id": HUGE},
        ),
    ],
)
def test_an_id_past_the_columns_range_is_missing_not_a_500(
    client, club, pages, method, url, body
):
    """Django accepts any integer as an id, and the database then fails on
    one past its column's range: for a member and the superuser alike."""
    from django.contrib.auth.models import User as Users

    for user in (
        User.objects.get(pk=club["alice"].pk),
        Users.objects.create_superuser("root", "root@example.org", "x"),
    ):
        client.force_login(user)
        url = url.format(own=pages.own_draft.pk)
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = client.post(url, body, content_type="application/json")
        assert response.status_code in (400, 404), (url, user, response.status_code)


@pytest.mark.parametrize("model", [ReadingProgress, DiscussionComment])
@pytest.mark.parametrize("view", ["edit", "history", "usage", "delete"])
def test_a_snippet_the_member_may_not_know_of_answers_as_a_missing_one(
    as_alice, club, model, view
):
    """Wagtail's snippet views redirected her for an id that exists and
    answered 404 for one that does not."""
    label = model._meta
    url = f"/admin/snippets/{label.app_label}/{label.model_name}/{view}/{{}}/"
    existing = club["ids"][model][0]
    assert as_alice.get(url.format(existing)).status_code == 404
    assert as_alice.get(url.format(existing + 10_000)).status_code == 404


def test_an_editor_still_edits_reading_progress(as_editor, club):
    pk = club["ids"][ReadingProgress][0]
    response = as_editor.get(f"/admin/snippets/reviews/readingprogress/edit/{pk}/")
    assert response.status_code == 200
    assert PROGRESS_BOOK.encode() in response.content
