"""What a Goodreads import brought in, row by row.

The record is what makes an import safe to run again: a row already recorded
is recognised, and a review the member edited since is recognised too (its
latest revision is no longer the one the import saved), so it is left alone.
It also keeps what Goodreads knows and the club has no field for (the shelf
name, the date added, a rating without a review) so that an export can give
it back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GoodreadsImport(models.Model):
    """One book of one member's Goodreads export, as last imported."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="goodreads_imports",
        verbose_name=_("member"),
    )
    source_key = models.CharField(
        _("row key"),
        max_length=80,
        help_text=_(
            "How the row is recognised on the next import: the Goodreads book id, "
            "else the ISBN, else a digest of the title and author."
        ),
    )
    goodreads_id = models.PositiveBigIntegerField(
        _("Goodreads book id"), null=True, blank=True
    )
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.CASCADE,
        related_name="goodreads_imports",
        verbose_name=_("book"),
    )
    shelf = models.CharField(_("Goodreads shelf"), max_length=100, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("Goodreads rating"), null=True, blank=True
    )
    date_added = models.DateField(_("added on Goodreads"), null=True, blank=True)
    date_read = models.DateField(_("read on"), null=True, blank=True)
    read_count = models.PositiveIntegerField(_("times read"), default=0)
    row_digest = models.CharField(
        _("row digest"),
        max_length=64,
        help_text=_("A digest of the row as imported: an unchanged row is skipped."),
    )
    review = models.ForeignKey(
        "reviews.ReviewPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review"),
    )
    review_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision saved by the import"),
    )
    review_digest = models.CharField(
        _("review digest"),
        max_length=64,
        blank=True,
        help_text=_(
            "A digest of the review as the import saved it; blank when the row "
            "had no review. A review whose latest revision differs was edited."
        ),
    )
    review_source_digest = models.CharField(
        _("review source digest"),
        max_length=64,
        blank=True,
        help_text=_(
            "A digest of the Goodreads review text, spoiler flag and rating: the "
            "review is only rewritten when these change."
        ),
    )
    imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last imported"), auto_now=True)

    class Meta:
        verbose_name = _("Goodreads import")
        verbose_name_plural = _("Goodreads imports")
        ordering = ["member", "imported_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "source_key"], name="unique_goodreads_row_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.book.title} ({self.shelf or '-'})"

    @property
    def had_review(self) -> bool:
        return bool(self.review_digest)
