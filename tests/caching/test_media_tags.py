"""Publishing a page retires the media listings only when it changes which
media it uses, and never the review bodies kept per revision."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.helpers import image_block
from tests.cache_queries import served_from_cache
from tests.factories import make_image, make_review, paragraph

pytestmark = pytest.mark.django_db

IMAGES = "/api/v3/images/"


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_publishing_one_review_leaves_the_others_kept_bodies(client, renders):
    kept = make_review(title="Kept", body=[paragraph("Kept words.")])
    edited = make_review(title="Edited", body=[paragraph("First words.")])
    client.get(f"/api/v3/reviews/{kept.pk}/")
    assert renders.call_count == 1
    edited.body = [paragraph("Second words.")]
    edited.save_revision().publish()
    client.get(f"/api/v3/reviews/{kept.pk}/")
    assert renders.call_count == 1, "the kept body was rendered again"


def test_a_publish_without_media_leaves_the_media_listing_cached(client, monkeypatch):
    review = make_review(title="Plain", body=[paragraph("No pictures.")])
    client.get(IMAGES)
    review.body = [paragraph("Still no pictures.")]
    review.save_revision().publish()
    assert served_from_cache(client, monkeypatch, IMAGES)


def test_a_publish_that_makes_an_image_public_shows_it_at_once(client):
    image = make_image("Frozen river")
    review = make_review(title="Pictured", body=[paragraph("Soon a picture.")])
    assert "Frozen river" not in client.get(IMAGES).content.decode()
    review.body = [paragraph("Here it is."), image_block(image)]
    review.save_revision().publish()
    assert "Frozen river" in client.get(IMAGES).content.decode()
    review.body = [paragraph("Gone again.")]
    review.save_revision().publish()
    assert "Frozen river" not in client.get(IMAGES).content.decode()


def test_deleting_the_page_that_made_an_image_public_hides_it_at_once(client):
    image = make_image("Thin ice")
    review = make_review(title="Doomed", body=[image_block(image)])
    assert "Thin ice" in client.get(IMAGES).content.decode()
    review.delete()
    assert "Thin ice" not in client.get(IMAGES).content.decode()


def test_a_publish_with_the_same_media_rewrites_no_record_of_them():
    """Most publishes keep the page's media: the uses recorded stay as they
    are, with no query to delete and write them again; a change of media
    still rewrites them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.models import PublishedMediaUse

    image, other = make_image("Frozen river"), make_image("Thin ice")
    review = make_review(title="Pictured", body=[image_block(image)])
    recorded = list(PublishedMediaUse.objects.filter(page=review).values_list("pk"))
    assert len(recorded) == 1

    review.body = [paragraph("A new caption."), image_block(image)]
    with CaptureQueriesContext(connection) as queries:
        review.save_revision().publish()
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "reviews_publishedmediause" in query["sql"]
        and not query["sql"].startswith("SELECT")
    ]
    assert writes == []
    assert list(PublishedMediaUse.objects.filter(page=review).values_list("pk")) == (
        recorded
    )

    review.body = [image_block(other)]
    review.save_revision().publish()
    uses = PublishedMediaUse.objects.filter(page=review)
    assert list(uses.values_list("object_id", flat=True)) == [str(other.pk)]
