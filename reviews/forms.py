"""Forms members use on the site (not in the admin)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chapter_ranges import MAX_CHAPTER
from .models import Book, ReadingProgress


class ReadingProgressForm(forms.ModelForm):
    """How far a member has read one book.

    The member and the book come from the request and the URL, never from the
    posted data, so nobody can record progress for someone else. The model's
    own validation refuses a chapter past the end of the book.
    """

    class Meta:
        model = ReadingProgress
        fields = ["chapter", "finished"]
        labels = {"chapter": _("Chapter reached"), "finished": _("Finished")}
        help_texts = {
            "chapter": _("The last chapter you have read in full."),
            "finished": _("Finished means every chapter, the ending included."),
        }

    def __init__(self, *args, member, book: Book, **kwargs) -> None:
        instance = kwargs.pop("instance", None) or ReadingProgress(
            member=member, book=book
        )
        kwargs["instance"] = instance
        super().__init__(*args, **kwargs)
        self.book = book
        chapter = cast(forms.IntegerField, self.fields["chapter"])
        chapter.min_value = 1
        # One message a bad chapter: in place of the column's own bounds ("at
        # least 0", "at most 9223372036854775807" on SQLite), which said so
        # beside these, and of the book's check, which a value the field
        # refuses never reaches.
        chapter.validators = [
            validator
            for validator in chapter.validators
            if not isinstance(validator, (MinValueValidator, MaxValueValidator))
        ] + [MinValueValidator(1), self._last_chapter(book)]
        chapter.widget.attrs["min"] = 1
        if instance.pk is not None:
            # A chapter stored past the book's end (its count lowered since)
            # starts the form at the last chapter, a value the field accepts.
            self.initial["chapter"] = instance.chapter_shown
        if book.chapter_count:
            self.fields["chapter"].widget.attrs["max"] = book.chapter_count
            self.fields["chapter"].help_text = _(
                "The last chapter you have read in full, out of %(count)s."
            ) % {"count": book.chapter_count}

    @staticmethod
    def _last_chapter(book: Book) -> MaxValueValidator:
        if book.chapter_count:
            return MaxValueValidator(
                book.chapter_count,
                message=_("%(book)s has only %(count)s chapters.")
                % {"book": book.title, "count": book.chapter_count},
            )
        return MaxValueValidator(MAX_CHAPTER)

    def clean_chapter(self) -> int | None:
        # Runs before the posted values are copied onto the instance, which
        # still holds the stored chapter.
        return self.instance.kept_chapter(self.cleaned_data.get("chapter"))

    def save(self, commit: bool = True) -> ReadingProgress:
        progress = super().save(commit=False)
        today = timezone.localdate()
        if progress.finished:
            # Finished implies every chapter: say so in the record, too (a
            # chapter stored past a since-lowered count already does).
            if self.book.chapter_count and not progress.read_every_chapter:
                progress.chapter = self.book.chapter_count
            progress.finished_at = progress.finished_at or today
        else:
            progress.finished_at = None
        if (progress.chapter or progress.finished) and not progress.started_at:
            progress.started_at = today
        if commit:
            progress.save()
        return progress


class AddBookForm(ReadingProgressForm):
    """The "My reading" page's form: pick a book, then say how far you are."""

    book_choice = forms.ModelChoiceField(
        label=_("Book"),
        queryset=Book.objects.none(),
        empty_label=_("Choose a book…"),
        help_text=_("Books already on your list are updated, not duplicated."),
    )

    field_order = ["book_choice", "chapter", "finished"]

    def __init__(self, *args, member, **kwargs) -> None:
        super().__init__(*args, member=member, book=Book(), **kwargs)
        self.member = member
        book_choice = cast(forms.ModelChoiceField, self.fields["book_choice"])
        book_choice.queryset = Book.objects.order_by("title", "pk")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        book = cleaned.get("book_choice")
        if book is not None:
            self.book = book
            existing = ReadingProgress.objects.filter(
                member=self.member, book=book
            ).first()
            # ModelForm copies the fields onto this instance and validates it
            # (the chapter against the book's length) after clean().
            self.instance = existing or ReadingProgress(member=self.member, book=book)
            if "chapter" in cleaned:
                cleaned["chapter"] = self.instance.kept_chapter(cleaned["chapter"])
        return cleaned
