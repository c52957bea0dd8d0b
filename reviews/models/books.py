"""The catalogue: books and what members have read of them."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Model
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index

from ..isbn import normalise_isbn
from .stored import stored

SLUG_MAX_LENGTH = 255


#: Slugs a book's save tries when others take them meanwhile.
SLUG_ATTEMPTS = 5


def unique_book_slug(manager, title: str, pk: int | None = None) -> str:
    """A slug for a book called ``title`` that no other book in ``manager``
    has: ``the-siege``, then ``the-siege-2``, … A title with nothing a URL
    can spell (no Latin letters or digits) becomes ``book``.

    Takes the manager so the migration that backfilled slugs can use it with
    its historical model.
    """
    base = slugify(title)[: SLUG_MAX_LENGTH - 8].strip("-") or "book"
    taken = set(
        manager.filter(slug__startswith=base)
        .exclude(pk=pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


#: Where :func:`remember_stored_book` leaves the book a page's stored row
#: names, and whether that row was live.
_STORED_BOOK = "_reviews_stored_book"
_STORED_LIVE = "_reviews_stored_live"
#: And a review's stored rating, as a 1-tuple (a rating may be None).
_STORED_RATING = "_reviews_stored_rating"


def remember_stored_book(sender=None, instance=None, **kwargs) -> None:
    """``pre_save`` receiver: before a page about a book (a review, a
    discussion) is saved, remember the book its stored row names, so that
    the caches that show that book (its count of reviews, its average
    rating) learn the page left it (:func:`book_left`), and whether it was
    live (:func:`was_live`); and a review's stored rating, so that the book
    list is rebuilt only when a rating changed (:func:`rating_changed`).

    The row is locked until the save's transaction ends (Wagtail saves a
    page in one), so the state read is the one the save replaces: without
    the lock, another writer's change (an unpublish, another book) could
    commit between this read and the save, which would then overwrite it
    while retiring only what a new revision of a live review retires."""
    if not isinstance(instance, Page) or "book_id" not in instance.__dict__:
        return
    for name in (_STORED_BOOK, _STORED_LIVE, _STORED_RATING):
        instance.__dict__.pop(name, None)
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"book", "book_id"} & set(update_fields):
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).order_by()
    if transaction.get_connection(kwargs.get("using")).in_atomic_block:
        stored = stored.select_for_update()
    rated = "rating" in instance.__dict__
    columns = ("book_id", "live", "rating") if rated else ("book_id", "live")
    for row in stored.values_list(*columns):
        instance.__dict__[_STORED_BOOK] = row[0]
        instance.__dict__[_STORED_LIVE] = row[1]
        if rated:
            instance.__dict__[_STORED_RATING] = (row[2],)


def book_left(page) -> int | None:
    """The book ``page``'s last save moved it away from, if it did."""
    before = page.__dict__.get(_STORED_BOOK)
    if before is None or before == page.__dict__.get("book_id"):
        return None
    return before


def rating_changed(page) -> bool:
    """Might ``page``'s last save have changed its rating? False only when
    that save read the stored row and the rating is the same."""
    stored = page.__dict__.get(_STORED_RATING)
    return stored is None or stored[0] != page.__dict__.get("rating")


def was_live(page) -> bool | None:
    """Was ``page``'s stored row live before its last save? None when that
    save read no stored row (a new page, or one saved with only some
    fields)."""
    return page.__dict__.get(_STORED_LIVE)


def newly_live(page) -> bool:
    """Is ``page``, just published, perhaps new to readers? True on a first
    publish (Wagtail stamps both dates with one clock reading; a page
    created live has a stored row that is live already), and whenever its
    stored row was not read as live before the save (:func:`was_live`: an
    import's back-dated first publish, a publish after an unpublish, which
    keeps the first date). False for a new revision of a page that was
    live: an editor's fix."""
    first = getattr(page, "first_published_at", None)
    if first is not None and first == getattr(page, "last_published_at", None):
        return True
    return was_live(page) is not True


# Reverse managers from page models are beyond the type checker's Django plugin.
def book_label(title: str, author: str) -> str:
    """How a book is named in lists and choices (``str(book)``)."""
    return f"{title} ({author})"


class Book(index.Indexed, models.Model):  # type: ignore[django-manager-missing]
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text=_(
            "The last part of the book's address on the site: the-siege in "
            "/books/the-siege/. Leave blank to make one from the title; the old "
            "address then redirects to the new one."
        ),
    )
    author = models.CharField(_("author"), max_length=255)
    isbn13 = models.CharField(
        _("ISBN-13"),
        # Room for hyphens as typed; the stored value is always 13 digits.
        max_length=17,
        blank=True,
        null=True,
        unique=True,
        help_text=_(
            "13 digits; an ISBN-10 is converted. Hyphens and spaces are ignored."
        ),
    )
    published_year = models.PositiveSmallIntegerField(
        _("year first published"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(2100)],
    )
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chapter_count = models.PositiveSmallIntegerField(
        _("number of chapters"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Optional. When set, spoilers and progress cannot name a later chapter."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("author"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("isbn13"), FieldPanel("published_year")]),
                FieldPanel("chapter_count"),
            ],
            heading=_("Details"),
        ),
        FieldPanel("cover"),
    ]

    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("author"),
        index.AutocompleteField("author"),
        index.FilterField("isbn13"),
    ]

    # Writable for Wagtail's v3 snippet writes (editors manage books): without
    # them its create schema had no fields and saved a book with no title.
    api_fields = [
        APIField("title", writable=True),
        APIField("slug", writable=True),
        APIField("author", writable=True),
        APIField("isbn13", writable=True),
        APIField("published_year", writable=True),
        APIField("chapter_count", writable=True),
        APIField("cover", writable=True),
    ]

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("book")
        verbose_name_plural = _("books")

    def __str__(self) -> str:
        return book_label(self.title, self.author)

    def save(self, *args, **kwargs) -> None:
        if not self.isbn13:
            self.isbn13 = None
        if self.slug:
            super().save(*args, **kwargs)
            return
        # A slug made here can be taken between reading the slugs in use and
        # the insert (two editors, an import and an editor, at once): the
        # insert then fails on the unique slug, and the next one is tried.
        for attempt in range(1, SLUG_ATTEMPTS + 1):
            self.slug = unique_book_slug(Book.objects, self.title, self.pk)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = Book.objects.filter(slug=self.slug).exclude(pk=self.pk)
                if attempt == SLUG_ATTEMPTS or not taken.exists():
                    self.slug = ""
                    raise

    def get_absolute_url(self) -> str:
        return reverse("reviews:book", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        # A form's required field refuses an empty value, but not one of
        # spaces, and Wagtail's API v3 writes let an empty one through.
        blank = {
            name: message
            for name, message in (
                ("title", _("A book needs a title.")),
                ("author", _("A book needs an author.")),
            )
            if not (getattr(self, name) or "").strip()
        }
        if blank:
            raise ValidationError(blank)
        self.title, self.author = self.title.strip(), self.author.strip()
        if self.isbn13:
            try:
                self.isbn13 = normalise_isbn(self.isbn13)
            except ValueError as error:
                raise ValidationError({"isbn13": str(error)}) from error
        else:
            # Blank ISBNs are stored as NULL so that uniqueness only applies
            # to real numbers.
            self.isbn13 = None
        if self._chapter_count_shrinks():
            self._check_chapters_named()

    def _chapter_count_shrinks(self) -> bool:
        """Is the chapter count being set lower than it was, or given for the
        first time? Only then can something name a chapter past it."""
        if not self.chapter_count or self.pk is None:
            return False
        before = stored(self, "chapter_count")
        return before is None or self.chapter_count < before

    def _check_chapters_named(self) -> None:
        """Refuse a count below a chapter of this book that the club already
        names: the count's help promises that nothing names a later one, and
        a member would otherwise have read "all 10 chapters" beside a spoiler
        of chapter 23 still closed to them."""
        named = self.chapters_named()
        latest = max(named.values(), default=0)
        if latest > (self.chapter_count or 0):
            kinds = [kind for kind, chapter in named.items() if chapter == latest]
            raise ValidationError(
                {
                    "chapter_count": _(
                        "Already named: chapter %(chapter)s of this book, by %(by)s. "
                        "Give at least %(chapter)s chapters."
                    )
                    % {"chapter": latest, "by": ", ".join(kinds)}
                }
            )

    def chapters_named(self) -> dict[str, int]:
        """The highest chapter of this book that each kind of content names:
        members' reading progress, discussion comments and questions, and
        review spoilers (a review of any book may spoil this one), in the
        pages as they are stored (a live page's live text, a draft's latest)."""
        named: dict[str, int] = {}

        def note(kind: str, chapter: int | None) -> None:
            if chapter and chapter > named.get(kind, 0):
                named[kind] = chapter

        note(
            str(_("reading progress")),
            self.progress.aggregate(latest=Max("chapter"))["latest"],
        )
        discussions = _related(self, "discussions")
        comments = _related(discussions, "comments")
        note(
            str(_("a comment")),
            comments._default_manager.filter(page__book=self).aggregate(
                latest=Max("chapter")
            )["latest"],
        )
        # The streams are read raw: the blocks name books by id. A review's
        # or question's block without a book is about the page's own book.
        for stream, book_id in discussions._default_manager.values_list(
            "questions", "book_id"
        ):
            for block in stream.raw_data:
                if (block["value"].get("book") or book_id) == self.pk:
                    note(str(_("a discussion question")), block["value"].get("chapter"))
        reviews = _related(self, "reviews")
        for stream, book_id in reviews._default_manager.values_list(
            "body", "book_id"
        ).iterator():
            for block in stream.raw_data:
                if block["type"] != "spoiler":
                    continue
                if (block["value"].get("spoils") or book_id) == self.pk:
                    note(str(_("a review's spoiler")), block["value"].get("chapter"))
        return named

    def check_chapter(self, chapter: int | None) -> None:
        """Raise ValidationError if ``chapter`` is past the book's last chapter."""
        if chapter and self.chapter_count and chapter > self.chapter_count:
            raise ValidationError(
                _("%(book)s has only %(count)s chapters.")
                % {"book": self.title, "count": self.chapter_count}
            )


def _related(model: Model | type[Model], name: str) -> type[Model]:
    """The model at the other end of ``model``'s relation ``name``: for a
    book to read the pages and comments about it, whose modules import this
    one."""
    return cast(type[Model], model._meta.get_field(name).related_model)


class ReadingProgress(models.Model):
    """How far a member has read in a book. One row per member and book."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reading_progress",
        verbose_name=_("member"),
    )
    book = models.ForeignKey(
        Book,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("book"),
    )
    chapter = models.PositiveSmallIntegerField(
        _("chapter reached"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1)],
        help_text=_("The last chapter read in full. Blank if not started."),
    )
    finished = models.BooleanField(_("finished"), default=False)
    started_at = models.DateField(_("started"), blank=True, null=True)
    finished_at = models.DateField(_("finished on"), blank=True, null=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reading progress")
        verbose_name_plural = _("reading progress")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "book"], name="unique_progress_per_member_book"
            )
        ]

    def __str__(self) -> str:
        if self.finished:
            where = str(_("finished"))
        elif self.chapter:
            where = str(_("chapter %(n)s") % {"n": self.chapter})
        else:
            where = str(_("not started"))
        return f"{self.member} — {self.book.title}: {where}"

    @property
    def chapter_shown(self) -> int | None:
        """The chapter reached as pages, forms and the API show it: the last
        chapter of a finished book, and never past the book's last chapter.

        Finished means every chapter, however it was recorded: the progress
        form stores the last chapter with it, the API, an import or the
        demo may store none or an earlier one. Every page's progress box
        shows them alike ("30 of 30", finished), where a form left blank or
        at chapter 12 beside "100%" contradicted itself.

        An editor may lower a book's chapter count below a chapter a member
        recorded. The stored chapter stays as the member saved it (the spoiler
        rule reads it, and it counts again if the count goes back up), but
        "chapter 25 of 20" means nothing to the member: they have read every
        chapter there is.
        """
        count = self.book.chapter_count
        if self.finished and count:
            return count
        if self.chapter and count:
            return min(self.chapter, count)
        return self.chapter

    @property
    def read_every_chapter(self) -> bool:
        """Every chapter of the book read, by its chapter count (not the same
        as finished, which also means the ending)."""
        count = self.book.chapter_count
        return bool(count and self.chapter and self.chapter >= count)

    @property
    def percent(self) -> int | None:
        """How much of the book is read, 0–100, when that can be known: the
        book's chapter count is set, or the member finished it."""
        if self.finished:
            return 100
        if self.chapter and self.book.chapter_count:
            return round(100 * (self.chapter_shown or 0) / self.book.chapter_count)
        return None

    def kept_chapter(self, chapter: int | None) -> int | None:
        """The chapter to store when the member sends ``chapter``: what they
        sent, unless it is the last chapter shown for one stored past the
        book's end (:attr:`chapter_shown`), which leaves the stored one as it
        is. Saving a form as it was shown changes nothing.

        The last chapter shown for a finished book is stored as sent: it is
        what finishing means, and a member who then unticks "Finished" has
        still read every chapter."""
        count = self.book.chapter_count
        if chapter is not None and self.chapter and count and self.chapter > count:
            return self.chapter if chapter == count else chapter
        return chapter

    def clean(self) -> None:
        super().clean()
        if self.book_id and self.chapter and self._chapter_changed():
            try:
                self.book.check_chapter(self.chapter)
            except ValidationError as error:
                raise ValidationError({"chapter": error.messages}) from error

    def _chapter_changed(self) -> bool:
        """A chapter stored before the book's count was lowered stays valid
        until it is changed: the record's other fields can still be saved."""
        if self.pk is None:
            return True
        return stored(self, "book_id", "chapter") != (self.book_id, self.chapter)
