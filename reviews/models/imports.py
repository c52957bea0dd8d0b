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


class GoodreadsImportJob(models.Model):
    """One upload of a Goodreads export in the admin, run by a background task.

    The uploaded file is kept with the job, so nothing the editor sent is lost
    if the task fails; the job then shows the error instead of a report.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="goodreads_import_jobs",
        verbose_name=_("member"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("The editor who uploaded the file; publishing is in their name."),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    source = models.BinaryField(_("uploaded file"))
    publish = models.BooleanField(_("publish the reviews"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    report = models.JSONField(_("report"), null=True, blank=True)
    error = models.TextField(
        _("error"), blank=True, help_text=_("Why the task failed, if it did.")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("Goodreads import job")
        verbose_name_plural = _("Goodreads import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} for {self.member} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
