"""The club's pages and StreamField blocks. Pages are added under real
parents, so the tree stays valid (Wagtail's treebeard paths)."""

from __future__ import annotations

from wagtail.models import Page, Site

from reviews import stream_values
from reviews.indexing import add_and_publish
from reviews.models import (
    Book,
    DiscussionIndexPage,
    DiscussionPage,
    ReviewIndexPage,
    ReviewPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)
from tests.factories.models import BookFactory


def site_root() -> Page:
    return Site.objects.get(is_default_site=True).root_page.specific


def _index(model, slug: str, title: str):
    """The site's index page of ``model``, added live under the site's root
    when there is none, as a migration or a fixture would make it: without a
    revision (Wagtail's own default home page has none). Publishing it
    through a revision cost a third of a test that builds one review."""
    root = site_root()
    existing = model.objects.child_of(root).first()
    if existing:
        return existing
    page = model(title=title, slug=slug)
    root.add_child(instance=page)
    return page


def review_index() -> ReviewIndexPage:
    return _index(ReviewIndexPage, "reviews", "Reviews")


def series_index() -> SeriesIndexPage:
    return _index(SeriesIndexPage, "series", "Series")


def discussion_index() -> DiscussionIndexPage:
    return _index(DiscussionIndexPage, "discussions", "Discussions")


paragraph = stream_values.paragraph


def spoiler(book: Book | None, chapter: int | None, label: str, *texts: str) -> dict:
    content = [paragraph(text) for text in texts]
    return stream_values.spoiler(
        label, content, spoils=book.pk if book else None, chapter=chapter
    )


_counter = iter(range(1, 10**9))


def make_review(
    *,
    book: Book | None = None,
    body: list | None = None,
    live: bool = True,
    owner=None,
    parent: Page | None = None,
    **fields,
) -> ReviewPage:
    n = next(_counter)
    page = ReviewPage(
        title=fields.pop("title", f"Review {n}"),
        slug=fields.pop("slug", f"review-{n}"),
        book=book or BookFactory(),
        summary=fields.pop("summary", "A spoiler-free summary."),
        body=body if body is not None else [paragraph("An opinion.")],
        owner=owner,
        live=live,
        **fields,
    )
    if live:
        add_and_publish(parent or review_index(), page, user=owner)
        page.refresh_from_db()
    else:
        (parent or review_index()).add_child(instance=page)
        page.save_revision(user=owner)
    return page


def make_series(title: str, books: list[tuple[Book, float]], **fields) -> SeriesPage:
    page = SeriesPage(
        title=title,
        slug=fields.pop("slug", title.lower().replace(" ", "-")),
        author=fields.pop("author", "Helen Dunmore"),
        entries=[SeriesEntry(book=book, position=pos) for book, pos in books],
        **fields,
    )
    add_and_publish(series_index(), page)
    return page


def make_discussion(*, book: Book | None = None, **fields) -> DiscussionPage:
    from datetime import timedelta

    from django.utils import timezone

    n = next(_counter)
    page = DiscussionPage(
        title=fields.pop("title", f"Discussion {n}"),
        slug=fields.pop("slug", f"discussion-{n}"),
        book=book or BookFactory(),
        starts_at=fields.pop("starts_at", timezone.now() + timedelta(days=7)),
        location=fields.pop("location", "The library"),
        **fields,
    )
    add_and_publish(discussion_index(), page)
    return page


def copy_in_admin(client, page: Page, title: str, slug: str):
    """Copy ``page`` below the review index through the admin's copy form,
    published, as the user ``client`` is logged in as; the response."""
    return client.post(
        f"/admin/pages/{page.pk}/copy/",
        {
            "new_title": title,
            "new_slug": slug,
            "new_parent_page": review_index().pk,
            "publish_copies": "on",
        },
    )
