"""Members add documents as they add images: in the admin, from the review
editor's link chooser and through the API; a review's text links them. Each
upload is seen by its member and by editors only, until a published, public
review links it outside every spoiler or an editor approves it
(reviews/media_visibility.py), like a member's image.

Members held no document permission: the admin's documents sent them back
to the dashboard, API v3's ``POST /documents/`` answered 403 while its
``POST /images/`` took their images, and a document link in a review written
through the API was dropped without a word.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.blocks import REVIEW_TEXT_FEATURES
from reviews.models import DocumentApproval, ReviewPage
from reviews.roles import EDITORS, MEMBERS, ensure_groups
from tests.api.helpers import restrict
from tests.factories import BookFactory, review_index, token_client, user_in

from .helpers import MARKER

#: Documents served from files (``files_on_disk``).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("files_on_disk")]

Document = get_document_model()
LISTINGS = ("/api/v2/documents/", "/api/v3/documents/")


@pytest.fixture
def people() -> dict[str, User]:
    groups = ensure_groups(review_index())
    return {
        "member": user_in(groups[MEMBERS], "bea"),
        "other_member": user_in(groups[MEMBERS], "carl"),
        "editor": user_in(groups[EDITORS], "edith"),
    }


def _upload(user: User, title: str = f"Reading guide {MARKER}"):
    """A document ``user`` uploads through API v3: the response."""
    return token_client(user).post(
        "/api/v3/documents/",
        {"title": title, "file": SimpleUploadedFile("guide.txt", b"Chapter notes")},
    )


def _uploaded(user: User) -> Document:
    response = _upload(user)
    assert response.status_code == 201, response.content
    return Document.objects.get(pk=response.json()["id"])


def _titles(client: Client, listing: str) -> list[str]:
    response = client.get(listing)
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def _seen_by(user: User | None, document) -> bool:
    """Listed, and answered at its detail, in both APIs (with ``user``'s
    token), and its file served (to ``user`` signed in)."""
    api = token_client(user) if user else Client()
    listed = {document.title in _titles(api, listing) for listing in LISTINGS}
    found = {
        api.get(f"{listing}{document.pk}/").status_code == 200 for listing in LISTINGS
    }
    site = Client()
    if user:
        site.force_login(user)
    found.add(site.get(document.url).status_code != 404)
    assert len(listed | found) == 1, (listed, found)
    return listed.pop()


def _rename(user: User, document, title: str):
    """``user``'s API v3 PATCH of the document's title: the response."""
    return token_client(user).patch(
        f"/api/v3/documents/{document.pk}/",
        {"title": title},
        content_type="application/json",
    )


def _linking(document, *, in_spoiler: bool = False) -> list[dict]:
    """A review body, as the API takes it, that links ``document``."""
    link = {
        "type": "paragraph",
        "value": f'<p>The <a linktype="document" id="{document.pk}">guide</a>.</p>',
    }
    if not in_spoiler:
        return [link]
    return [
        {
            "type": "spoiler",
            "value": {
                "spoils": None,
                "chapter": None,
                "label": "How it ends",
                "content": [link],
            },
        }
    ]


def _review(member: User, body: list[dict]) -> ReviewPage:
    response = token_client(member).post(
        "/api/v3/reviews/",
        {
            "title": "With a guide",
            "book": BookFactory().pk,
            "summary": "Notes for the club.",
            "body": body,
            "tags": [],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return ReviewPage.objects.get(pk=response.json()["id"])


def _publish(review: ReviewPage) -> None:
    """As an editor approving it does."""
    review.get_latest_revision().publish()
    review.refresh_from_db()


# -- where a member adds one -----------------------------------------------------


def test_a_member_uploads_a_document_through_the_api(people):
    response = _upload(people["member"])
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    assert document.uploaded_by_user == people["member"]


def test_the_admin_offers_a_member_the_documents_and_takes_an_upload(people, client):
    client.force_login(people["member"])
    dashboard = client.get("/admin/").content.decode()
    assert 'href="/admin/documents/"' in dashboard
    assert client.get("/admin/documents/multiple/add/").status_code == 200
    response = client.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("minutes.txt", b"Minutes")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["success"], response.content
    assert Document.objects.get().uploaded_by_user == people["member"]


def test_the_review_editor_links_documents_from_a_chooser_that_uploads(people, client):
    client.force_login(people["member"])
    editor = client.get(
        reverse(
            "wagtailadmin_pages:add",
            args=("reviews", "reviewpage", review_index().pk),
        )
    ).content.decode()
    assert re.search(r"&quot;type&quot;: &quot;DOCUMENT&quot;", editor), (
        "the review's text offers no document link"
    )
    chooser = client.get("/admin/documents/chooser/")
    assert chooser.status_code == 200
    assert "document-chooser-upload-file" in chooser.json()["html"]
    response = client.post(
        "/admin/documents/chooser/create/",
        {
            "document-chooser-upload-title": "Map of the city",
            "document-chooser-upload-file": SimpleUploadedFile("map.txt", b"Map"),
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["step"] == "chosen", response.content
    assert Document.objects.get().uploaded_by_user == people["member"]


def test_a_document_bigger_than_an_image_may_be_is_refused(people):
    """Members upload documents now, and Wagtail bounds none unless told;
    an image it bounds to 10 MB."""
    response = token_client(people["member"]).post(
        "/api/v3/documents/",
        {
            "title": "Too long",
            "file": SimpleUploadedFile("long.txt", b"x" * (10 * 1024 * 1024 + 1)),
        },
    )
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert ("file_too_large", ["file"]) in [(e["type"], e["loc"]) for e in errors]
    assert not Document.objects.exists()


def test_an_upload_says_nothing_of_another_documents_file_name(
    people, client, settings
):
    """File names are the uploader's, and a file name taken was made free
    with a random ending: a member who uploaded "bruno-dies.txt" and got
    back "bruno-dies_x7Kq2Lm.txt" learnt that another document, one she may
    not see, has that name. Every upload now keeps its name, in a folder of
    its own that no one can guess."""
    site = Client()
    site.force_login(people["member"])
    names = []
    for user in (people["other_member"], people["member"]):
        upload = token_client(user).post(
            "/api/v3/documents/",
            {"title": "Notes", "file": SimpleUploadedFile("bruno-dies.txt", b"x")},
        )
        assert upload.status_code == 201, upload.content
        assert upload.json()["meta"]["download_url"].endswith("/bruno-dies.txt")
        names.append(Document.objects.get(pk=upload.json()["id"]).file.name)
    chosen = site.post(
        "/admin/documents/chooser/create/",
        {
            "document-chooser-upload-title": "Notes",
            "document-chooser-upload-file": SimpleUploadedFile("bruno-dies.txt", b"x"),
        },
    )
    assert chosen.json()["result"]["url"].endswith("/bruno-dies.txt"), chosen.json()
    names.append(Document.objects.latest("pk").file.name)
    assert len(set(names)) == 3, names
    assert not (settings.MEDIA_ROOT / "documents" / "bruno-dies.txt").exists()


# -- who sees it -----------------------------------------------------------------


def test_a_fresh_upload_is_seen_by_its_member_and_editors_only(people):
    document = _uploaded(people["member"])
    assert _seen_by(people["member"], document)
    assert _seen_by(people["editor"], document)
    assert not _seen_by(people["other_member"], document)
    assert not _seen_by(None, document)


def test_a_review_links_the_members_document_and_keeps_it(people):
    """The link was dropped: the review's text took no document link."""
    document = _uploaded(people["member"])
    review = _review(people["member"], _linking(document))
    stored = review.get_latest_revision_as_object().body.raw_data[0]["value"]
    link = re.search(r"<a [^>]*>guide</a>", stored)
    assert link, stored
    assert 'linktype="document"' in link[0] and f'id="{document.pk}"' in link[0]


def test_a_document_linked_from_a_draft_stays_the_members(people):
    document = _uploaded(people["member"])
    _review(people["member"], _linking(document))
    for reader in (people["other_member"], None):
        assert not _seen_by(reader, document)


def test_a_document_linked_from_a_published_review_is_public(people):
    document = _uploaded(people["member"])
    _publish(_review(people["member"], _linking(document)))
    for reader in (people["other_member"], None):
        assert _seen_by(reader, document)


@pytest.mark.parametrize("where", ["restricted", "unpublished", "spoiler"])
def test_a_document_linked_where_others_may_not_read_it_stays_hidden(people, where):
    document = _uploaded(people["member"])
    review = _review(
        people["member"], _linking(document, in_spoiler=where == "spoiler")
    )
    _publish(review)
    if where == "restricted":
        restrict(review, to_group=True)
    elif where == "unpublished":
        review.unpublish()
    for reader in (people["other_member"], None):
        assert not _seen_by(reader, document)
        api = token_client(reader) if reader else Client()
        assert MARKER not in api.get("/api/v3/documents/").content.decode()


def test_a_member_links_no_document_she_may_not_see(people):
    hidden = _uploaded(people["other_member"])
    response = token_client(people["member"]).post(
        "/api/v3/reviews/",
        {
            "title": "Borrowed notes",
            "book": BookFactory().pk,
            "summary": "Notes.",
            "body": _linking(hidden),
            "tags": [],
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert MARKER not in response.content.decode()
    assert not ReviewPage.objects.filter(title="Borrowed notes").exists()


def test_the_review_editor_names_no_document_she_may_not_see(people):
    """The admin refused a review linking another member's hidden document,
    and showed the form back with the link in the editor's data: the
    document's address and file name, for any id she sent."""
    upload = token_client(people["other_member"]).post(
        "/api/v3/documents/",
        {"title": "Notes", "file": SimpleUploadedFile("bruno-dies.txt", b"x")},
    )
    hidden = Document.objects.get(pk=upload.json()["id"])
    own = _uploaded(people["member"])
    site = Client()
    site.force_login(people["member"])
    text = rich_text(
        f'<p>The <a linktype="document" id="{hidden.pk}">notes</a> and '
        f'<a linktype="document" id="{own.pk}">mine</a>.</p>',
        features=REVIEW_TEXT_FEATURES,
    )
    response = site.post(
        reverse(
            "wagtailadmin_pages:add",
            args=("reviews", "reviewpage", review_index().pk),
        ),
        nested_form_data(
            {
                "title": "Borrowed notes",
                "slug": "borrowed-notes",
                "book": BookFactory().pk,
                "rating": "",
                "summary": "Notes.",
                "body": streamfield([("paragraph", text)]),
                "tags": "",
            }
        ),
    )
    assert response.status_code == 200
    assert not ReviewPage.objects.filter(slug="borrowed-notes").exists()
    raw = response.content.decode()
    assert hidden.url not in raw and "bruno-dies" not in raw
    # Her own document is still named, as the editor needs it.
    assert own.url in raw


def test_a_member_changes_only_her_own_documents(people):
    mine = _uploaded(people["member"])
    theirs = _uploaded(people["other_member"])
    _publish(_review(people["other_member"], _linking(theirs)))
    renamed = _rename(people["member"], mine, "My guide")
    assert renamed.status_code == 200, renamed.content
    refused = _rename(people["member"], theirs, "Taken over")
    assert refused.status_code == 403, refused.content
    api = token_client(people["member"])
    assert api.delete(f"/api/v3/documents/{theirs.pk}/").status_code == 403
    theirs.refresh_from_db()
    assert theirs.title.startswith("Reading guide")


def _queries_to_get(client: Client, address: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 404, address
    return [query["sql"] for query in queries.captured_queries]


def test_a_hidden_documents_name_is_not_told_by_the_work_its_address_costs(people):
    """Wagtail's download view compares the address's file name first and
    asks who may see the document only when the name is right: a right
    guess cost the rule's query more than a wrong one (a few milliseconds),
    so a reader could tell the name of a document they may not see."""
    document = _uploaded(people["member"])
    anonymous = Client()
    addresses = {
        "right name": document.url,
        "wrong name": f"/documents/{document.pk}/bruno-dies.txt",
        "no such document": f"/documents/{document.pk + 1000}/guide.txt",
    }
    _queries_to_get(anonymous, document.url)
    work = {name: _queries_to_get(anonymous, url) for name, url in addresses.items()}
    assert len({len(queries) for queries in work.values()}) == 1, work
    # The reader who may see it still downloads it, and only by its name.
    member = Client()
    member.force_login(people["member"])
    assert member.get(document.url).status_code == 200
    assert member.get(addresses["wrong name"]).status_code == 404


@pytest.mark.parametrize("made_public", ["linked", "approved"])
def test_once_public_a_members_document_is_changed_by_editors_only(people, made_public):
    """Once others read it, a document changed by its member was public at
    once, unmoderated: its title in every listing, its file at its address.
    An editor approved the title and file they looked at, or a published
    review linked it as it was; a review's own changes wait for an editor."""
    document = _uploaded(people["member"])
    if made_public == "linked":
        _publish(_review(people["member"], _linking(document)))
    else:
        DocumentApproval.objects.create(document=document, approved_by=people["editor"])
    assert _seen_by(None, document)
    renamed = _rename(people["member"], document, "Bruno dies in chapter 12")
    assert renamed.status_code == 403, renamed.content
    site = Client()
    site.force_login(people["member"])
    site.post(
        f"/admin/documents/edit/{document.pk}/",
        {
            "title": "The ending",
            "collection": document.collection_id,
            "file": SimpleUploadedFile("ending.txt", b"Bruno dies."),
        },
    )
    document.refresh_from_db()
    assert document.title.startswith("Reading guide")
    download = Client().get(document.url)
    assert b"".join(download.streaming_content) == b"Chapter notes"
    # An editor still changes it; the member may still take it down.
    by_editor = _rename(people["editor"], document, "Reading guide, revised")
    assert by_editor.status_code == 200, by_editor.content
    api = token_client(people["member"])
    assert api.delete(f"/api/v3/documents/{document.pk}/").status_code == 204
