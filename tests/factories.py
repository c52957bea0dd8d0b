"""Factories for the club's content. Pages are added under real parents, so
the tree stays valid (Wagtail's treebeard paths)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site

from reviews import stream_values
from reviews.models import (
    Book,
    DiscussionIndexPage,
    DiscussionPage,
    ReadingProgress,
    ReviewIndexPage,
    ReviewPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"member{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("password")


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book

    title = factory.Sequence(lambda n: f"Book {n}")
    author = "Helen Dunmore"
    published_year = 2001


class ReadingProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingProgress

    member = factory.SubFactory(UserFactory)
    book = factory.SubFactory(BookFactory)


def site_root() -> Page:
    return Site.objects.get(is_default_site=True).root_page.specific


def _index(model, slug: str, title: str):
    root = site_root()
    existing = model.objects.child_of(root).first()
    if existing:
        return existing
    page = model(title=title, slug=slug)
    root.add_child(instance=page)
    page.save_revision().publish()
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
    (parent or review_index()).add_child(instance=page)
    revision = page.save_revision(user=owner)
    if live:
        revision.publish()
        page.refresh_from_db()
    return page


def make_series(title: str, books: list[tuple[Book, float]], **fields) -> SeriesPage:
    page = SeriesPage(
        title=title,
        slug=fields.pop("slug", title.lower().replace(" ", "-")),
        author=fields.pop("author", "Helen Dunmore"),
        entries=[SeriesEntry(book=book, position=pos) for book, pos in books],
        **fields,
    )
    series_index().add_child(instance=page)
    page.save_revision().publish()
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
    discussion_index().add_child(instance=page)
    page.save_revision().publish()
    return page


def make_image(title: str = "Cover", width: int = 400, height: int = 600):
    """A real (small) PNG in the image library, for covers and body images."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    return get_image_model().objects.create(
        title=title,
        file=get_test_image_file(size=(width, height)),
    )


def cover_png(title: str, colour: tuple[int, int, int] = (122, 46, 31)) -> bytes:
    """A small generated book cover, as PNG bytes (no downloaded files)."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    picture = PILImage.new("RGB", (200, 300), colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((10, 10, 190, 290), outline=(255, 255, 255), width=3)
    draw.text((24, 120), title[:16], fill=(255, 255, 255), font_size=20)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def make_cover(title: str, colour: tuple[int, int, int] = (122, 46, 31)):
    """A Wagtail image holding a generated cover for ``title``."""
    import io

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    slug = "".join(c for c in title.lower() if c.isalnum()) or "cover"
    file = ImageFile(io.BytesIO(cover_png(title, colour)), name=f"{slug}.png")
    image = get_image_model()(title=f"Cover: {title}")
    image.file.save(f"{slug}.png", file, save=False)
    image.save()
    return image
