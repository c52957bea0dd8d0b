"""Forms members fill in on the site: comments, reports, RSVPs, nominations
and votes. Each maps onto the services in :mod:`reviews.comments.actions`,
:mod:`reviews.meetings` and :mod:`reviews.models.club`."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    COMMENT_MAX_LENGTH,
    Book,
    DiscussionComment,
    DiscussionPage,
    MeetingRSVP,
    Nomination,
    NominationRound,
)
from .models.club import PITCH_MAX_LENGTH
from .models.comments import REPORT_REASON_MAX_LENGTH


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text; links become clickable."),
    )
    chapter = forms.IntegerField(
        label=_("About chapter"),
        required=False,
        min_value=1,
        help_text=_(
            "Readers who have not reached it see your comment collapsed. "
            "Leave blank if it is about the whole book, the ending included."
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, page: DiscussionPage, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        if page.book.chapter_count:
            # The model checks the limit too; this lets browsers help first.
            self.fields["chapter"].widget.attrs["max"] = page.book.chapter_count

    def clean_parent(self) -> DiscussionComment | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = (
            DiscussionComment.objects.published()
            .filter(page=self.page, pk=parent_id)
            .first()
        )
        if parent is None:
            raise forms.ValidationError(_("That comment cannot be answered any more."))
        return parent


class EditCommentForm(CommentForm):
    parent = None  # type: ignore[assignment]  # Django's way to drop a field


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it?"),
        required=False,
        max_length=REPORT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Only the moderators see this."),
    )


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Are you coming?"),
        choices=MeetingRSVP.Answer.choices,
        widget=forms.RadioSelect,
    )


class NominationForm(forms.Form):
    book = forms.ModelChoiceField(
        label=_("Book"),
        queryset=Book.objects.order_by("title"),
        help_text=_("From the club's catalogue."),
    )
    pitch = forms.CharField(
        label=_("Your pitch"),
        max_length=PITCH_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the club should read it, in a few sentences."),
    )

    def __init__(self, *args, nomination_round: NominationRound, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.nomination_round = nomination_round

    def clean_book(self) -> Book:
        book = self.cleaned_data["book"]
        if self.nomination_round.nominations.filter(book=book).exists():
            raise forms.ValidationError(_("Someone has already nominated this book."))
        return book


class NominationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Nomination) -> str:
        return f"{obj.book.title} ({obj.book.author})"


class VoteForm(forms.Form):
    nomination = NominationChoiceField(
        label=_("Your vote"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, nomination_round: NominationRound, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(NominationChoiceField, self.fields["nomination"])
        field.queryset = nomination_round.nominations.select_related("book")
