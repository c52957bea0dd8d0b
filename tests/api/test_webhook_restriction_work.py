"""What a view restriction added or removed makes the site do for the
webhook receivers, and what a restricted page's deletion leaves behind.

Adding or removing a restriction on a section ran, inside the editor's
request, one round of queries (the endpoints, what each heard, a delivery
row, a task) for every live page below it: on a site of 3,000 reviews with
three endpoints, the admin's privacy form ran past gunicorn's 30 s timeout,
the worker was killed (a 500), and part of the deliveries were recorded,
part never were, and part were recorded but never queued. (The record of
published media was rewritten page by page in the same request too: see
tests/spoilers/test_media_restrictions.py.)"""

from __future__ import annotations

import pytest
from wagtail.models import Page, PageViewRestriction

from reviews.models import ReviewIndexPage, Webhook, WebhookDelivery
from tests.api.helpers import published_section, queries_to_restrict_and_open
from tests.factories import BookFactory, make_review, review_index

pytestmark = pytest.mark.django_db


def _section_heard_of(slug: str, reviews: int) -> Page:
    """A section with ``reviews`` live reviews below it, each of which the
    receiver was sent."""
    section = published_section(slug, slug.title())
    parent = section.specific
    book = BookFactory()
    for _ in range(reviews):
        make_review(book=book, parent=parent)
    WebhookDelivery.objects.update(attempts=1, status=WebhookDelivery.Status.SUCCEEDED)
    return Page.objects.get(pk=section.pk)


def _webhooks_share(section: Page, endpoint: Webhook) -> tuple[int, int]:
    """The queries the webhooks add to restricting and opening ``section``
    in the editor's request: with the endpoint listening, less without."""
    endpoint.active = False
    endpoint.save()
    without = queries_to_restrict_and_open(section)
    endpoint.active = True
    endpoint.save()
    listening = queries_to_restrict_and_open(section)
    return listening[0] - without[0], listening[1] - without[1]


def test_a_restriction_on_a_big_section_does_not_work_page_by_page(endpoint):
    """Twenty more pages below the section cost the request that adds or
    removes its restriction no more for the webhooks: the pages are
    announced by a task once the change commits."""
    small = _webhooks_share(_section_heard_of("small", 2), endpoint)
    large = _webhooks_share(_section_heard_of("large", 22), endpoint)

    assert large == small, (
        f"the webhooks' queries grew with the pages: {small} -> {large}"
    )


def test_deleting_a_restricted_page_records_no_publish_of_it(endpoint):
    """Deleting a page deletes its view restriction first; the restriction's
    removal then recorded a page.published delivery naming the page, whose
    title and slug were never public, as if the page had just become
    public. It was withdrawn before sending only because the page was gone
    by then; the Webhook deliveries admin lists it as a publish."""
    parent = review_index().add_child(
        instance=ReviewIndexPage(title="Committee", slug="committee")
    )
    page = make_review(book=BookFactory(), parent=parent, live=False)
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    page.title = "Committee minutes"
    page.slug = "committee-minutes"
    page.save_revision().publish()

    Page.objects.get(pk=page.pk).delete()

    recorded = list(
        WebhookDelivery.objects.filter(page_id=page.pk).values_list(
            "event", "page_title"
        )
    )
    assert recorded == [], f"deliveries recorded for a page never public: {recorded}"
