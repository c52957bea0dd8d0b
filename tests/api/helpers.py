"""Content builders for the API tests."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from reviews.roles import ensure_groups
from tests.factories import (
    BookFactory,
    discussion_index,
    make_image,
    make_review,
    make_series,
    paragraph,
    review_index,
    series_index,
    spoiler,
)

SECRET = "XYZZY-SECRET"


def image_block(image) -> dict:
    return {
        "type": "image",
        "value": {
            "image": {"image": image.pk, "alt_text": "A street", "decorative": False},
            "caption": "Leningrad",
        },
    }


def full_review(n: int, **fields):
    """A review with every kind of content the listing has to load."""
    book = BookFactory(title=f"Listed book {n}", cover=make_image(f"Cover {n}"))
    make_series(f"Series {n}", [(book, 1)])
    earlier = BookFactory(title=f"Earlier book {n}")
    page = make_review(
        book=book,
        rating=fields.pop("rating", 4),
        body=[
            paragraph("Open text."),
            image_block(make_image(f"Photo {n}")),
            spoiler(earlier, None, "How the first book ends", SECRET),
        ],
        **fields,
    )
    page.tags.add("war", f"tag{n}")
    page.save_revision().publish()
    return page


def club_indexes() -> None:
    """The three published indexes, and the club's groups with their
    permissions on the review index: what a module whose tests each write
    pages builds once."""
    ensure_groups(review_index())
    series_index()
    discussion_index()


def restrict(page, *, to_group: bool = False) -> None:
    """Restrict ``page`` to logged-in users, or to a group nobody here is in."""
    if not to_group:
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.LOGIN
        )
        return
    from django.contrib.auth.models import Group

    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get_or_create(name="Committee")[0])


def count_queries(client, url: str, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.content
    return len(context.captured_queries), response


def published_section(slug: str = "committee", title: str = "Committee") -> Page:
    """A live review index below the club's, as a plain ``Page``."""
    from reviews.models import ReviewIndexPage

    section = review_index().add_child(instance=ReviewIndexPage(title=title, slug=slug))
    section.save_revision().publish()
    return Page.objects.get(pk=section.pk)


def queries_to_restrict_and_open(section: Page) -> tuple[int, int]:
    """The queries a view restriction on ``section`` costs to add, then to
    remove, as the admin's privacy form does each."""
    with CaptureQueriesContext(connection) as added:
        restriction = PageViewRestriction.objects.create(
            page=section, restriction_type=PageViewRestriction.LOGIN
        )
    with CaptureQueriesContext(connection) as removed:
        PageViewRestriction.objects.get(pk=restriction.pk).delete()
    return len(added), len(removed)
