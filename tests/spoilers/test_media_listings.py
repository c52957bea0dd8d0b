"""Image and document listings never give a spoiler away.

An image used only inside spoiler blocks is part of those spoilers: its title
("Anna's death") would reveal them. The image and document endpoints of both
API versions leave such media out; readers meet it in the review's body,
where the spoiler rule decides.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from reviews.models import Book, DocumentApproval, ImageApproval
from reviews.response_cache import forget_local
from reviews.roles import MEMBERS, ensure_groups
from tests.factories import (
    BookFactory,
    UserFactory,
    make_image,
    make_review,
    paragraph,
    review_index,
)
from tests.fixtures.database import built_once

from .helpers import MARKER

pytestmark = pytest.mark.django_db

V2_IMAGES = "/api/v2/images/"
V3_IMAGES = "/api/v3/images/"
V2_DOCUMENTS = "/api/v2/documents/"
V3_DOCUMENTS = "/api/v3/documents/"


def image_block(image) -> dict:
    return {
        "type": "image",
        "value": {
            "image": {"image": image.pk, "decorative": False, "alt_text": "A photo"},
            "caption": "",
        },
    }


def spoiler_with(*content: dict, book=None) -> dict:
    return {
        "type": "spoiler",
        "value": {
            "spoils": book.pk if book else None,
            "chapter": None,
            "label": "How it ends",
            "content": list(content),
        },
    }


def make_document(title: str):
    document = get_document_model()(title=title)
    document.file.save("notes.txt", ContentFile(b"notes"), save=False)
    document.save()
    return document


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


def _images() -> dict:
    """A spoiler-only image, one used in a spoiler and as a cover, one used in
    an open block, and one used nowhere."""
    secret = make_image(f"Anna's death {MARKER}")
    shared = make_image("The bridge at dawn")
    open_image = make_image("Leningrad in winter")
    unused = make_image("Unused picture")
    BookFactory(title="The Bridge", cover=shared)
    make_review(
        body=[
            paragraph("An opinion."),
            image_block(open_image),
            spoiler_with(image_block(secret), image_block(shared)),
        ]
    )
    return {"secret": secret, "shared": shared, "open": open_image, "unused": unused}


# An image nobody published or approved is not public either (see
# test_media_rule.py).
LISTED = ["Leningrad in winter", "The bridge at dawn"]


@pytest.fixture(scope="class")
def built_images(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    with built_once(django_db_blocker):
        yield {name: image.pk for name, image in _images().items()}


@pytest.fixture
def images(built_images: dict[str, int]) -> dict:
    model = get_image_model()
    return {name: model.objects.get(pk=pk) for name, pk in built_images.items()}


class TestImagesInAReview:
    """Every test here reads the same images and review: built once for the
    class (the tests after it list the images of a library without them)."""

    @pytest.mark.parametrize("listing", [V2_IMAGES, V3_IMAGES])
    def test_image_used_only_in_a_spoiler_is_not_listed(self, client, images, listing):
        response = client.get(listing)
        assert _titles(response) == LISTED
        assert MARKER not in response.content.decode()

    @pytest.mark.parametrize("listing", [V2_IMAGES, V3_IMAGES])
    def test_searching_or_filtering_the_listing_does_not_find_it(
        self, client, images, listing
    ):
        response = client.get(listing, {"title": images["secret"].title})
        assert response.status_code in (200, 400), response.content
        assert MARKER not in response.content.decode()

    @pytest.mark.parametrize("listing", [V2_IMAGES, V3_IMAGES])
    def test_a_search_finds_public_images_and_never_the_spoiler_only_one(
        self, client, images, listing
    ):
        """Searching works under the rule: it finds what is listed, and a word
        of the hidden title finds nothing."""
        assert _titles(client.get(listing, {"search": "Leningrad"})) == [
            "Leningrad in winter"
        ]
        assert _titles(client.get(listing, {"search": MARKER})) == []
        assert _titles(client.get(listing, {"search": "death"})) == []

    @pytest.mark.parametrize("kind", ["images", "documents"])
    def test_a_member_can_search_the_admin_chooser(self, client, images, kind):
        """The chooser's search runs under the rule too (it was a server error)."""
        groups = ensure_groups(review_index())
        member = UserFactory(username="chooser")
        member.groups.add(groups[MEMBERS])
        client.force_login(member)
        for url in (f"/admin/{kind}/chooser/", f"/admin/{kind}/chooser/results/"):
            for query in ("Leningrad", MARKER):
                response = client.get(url, {"q": query})
                assert response.status_code == 200, (url, query)
                # The search box echoes the query; the hidden title is not sent.
                assert "death" not in response.content.decode()
        if kind == "images":
            found = client.get("/admin/images/chooser/results/", {"q": "Leningrad"})
            assert "Leningrad in winter" in found.content.decode()

    @pytest.mark.parametrize("listing", [V2_IMAGES, V3_IMAGES])
    def test_image_used_only_in_a_spoiler_has_no_detail(self, client, images, listing):
        response = client.get(f"{listing}{images['secret'].pk}/")
        assert response.status_code == 404
        assert MARKER not in response.content.decode()

    @pytest.mark.parametrize("listing", [V2_IMAGES, V3_IMAGES])
    @pytest.mark.parametrize("name", ["shared", "open"])
    def test_other_images_keep_their_detail(self, client, images, listing, name):
        response = client.get(f"{listing}{images[name].pk}/")
        assert response.status_code == 200, response.content
        assert response.json()["title"] == images[name].title

    def test_the_image_is_still_in_the_review_for_readers_who_may_see_it(
        self, client, images
    ):
        review_id = client.get("/api/v2/pages/", {"type": "reviews.ReviewPage"}).json()[
            "items"
        ][0]["id"]
        hidden = client.get(f"/api/v2/pages/{review_id}/").content.decode()
        shown = client.get(
            f"/api/v2/pages/{review_id}/", {"spoilers": "show"}
        ).content.decode()
        assert MARKER not in hidden
        assert MARKER in shown

    def test_an_image_becomes_listed_once_used_outside_a_spoiler(self, client, images):
        make_review(body=[image_block(images["secret"])])
        assert images["secret"].title in _titles(client.get(V2_IMAGES))

    def test_an_image_leaves_the_listing_when_its_last_open_use_goes(
        self, client, images
    ):
        book = Book.objects.get(cover=images["shared"])
        book.cover = None
        book.save()
        assert "The bridge at dawn" not in _titles(client.get(V2_IMAGES))

    @pytest.mark.parametrize(
        "url",
        [
            f"{V2_IMAGES}abc/",
            f"{V2_IMAGES}99999999999999999999/",
            f"{V2_IMAGES}?id=abc",
            f"{V2_IMAGES}?limit=-1",
            f"{V2_IMAGES}?spoilers=maybe",
            f"{V3_IMAGES}abc/",
            f"{V3_IMAGES}99999999999999999999/",
            f"{V3_IMAGES}?limit=-1",
            f"{V3_IMAGES}?ordering=nonsense",
            f"{V2_DOCUMENTS}?id=abc",
            f"{V3_DOCUMENTS}abc/",
        ],
    )
    def test_bad_input_is_never_a_server_error(self, client, images, url):
        response = client.get(url)
        assert response.status_code < 500, response.content
        assert MARKER not in response.content.decode()


@pytest.mark.parametrize("listing", [V2_DOCUMENTS, V3_DOCUMENTS])
def test_a_search_finds_approved_documents_only(client, listing):
    hidden = make_document(f"Minutes {MARKER}")
    shown = make_document("Minutes of the spring meeting")
    DocumentApproval.objects.create(document=shown)
    assert _titles(client.get(listing, {"search": "minutes"})) == [shown.title]
    assert hidden.title not in client.get(listing, {"search": MARKER}).content.decode()


def test_a_published_spoiler_image_is_hidden_before_the_task_worker_runs(
    client, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    secret = make_image(f"Anna's death {MARKER}")
    page = make_review(body=[image_block(secret)])
    assert _titles(client.get(V2_IMAGES)) == [secret.title]
    page.body = [spoiler_with(image_block(secret))]
    page.save_revision().publish()
    assert _titles(client.get(V2_IMAGES)) == []


@pytest.mark.parametrize("listing", [V2_DOCUMENTS, V3_DOCUMENTS])
def test_document_linked_only_from_a_spoiler_is_not_listed(client, listing):
    secret = make_document(f"Who dies {MARKER}")
    DocumentApproval.objects.create(document=make_document("Meeting notes"))
    make_review(
        body=[
            spoiler_with(
                paragraph(f'<a linktype="document" id="{secret.pk}">the list</a>')
            )
        ]
    )
    response = client.get(listing)
    assert _titles(response) == ["Meeting notes"]
    assert client.get(f"{listing}{secret.pk}/").status_code == 404


@pytest.mark.parametrize("listing", [V2_IMAGES, V3_IMAGES])
def test_the_rule_costs_the_same_queries_however_many_spoiler_images(client, listing):
    # Wagtail's own listings query once per listed image (tags in v2, the
    # collection in v3); the spoiler rule adds a fixed subquery, never a
    # query per image or per review.
    def count() -> int:
        # The API's response caches (the shared one, and this process's own
        # copies) would answer with only the tag-version query.
        cache.clear()
        forget_local()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(listing).status_code == 200
        return len(queries)

    ImageApproval.objects.create(image=make_image("Open"))
    secret = make_image("One secret")
    make_review(body=[spoiler_with(image_block(secret))])
    few = count()
    for n in range(5):
        image = make_image(f"Secret {n}")
        make_review(body=[paragraph("Open text."), spoiler_with(image_block(image))])
    assert _titles(client.get(listing)) == ["Open"]
    assert count() == few
