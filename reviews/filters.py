"""The reader-facing filters of the review index."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Book, SeriesPage
from .visibility import public_pages

RATING_FLOOR_CHOICES = [("", _("Any rating"))] + [
    (str(n), _("%(n)s stars or more") % {"n": n}) for n in (5, 4, 3, 2)
]


MAX_ID = 2_147_483_647


class IdChoiceField(forms.ModelChoiceField):
    """A model choice by id that refuses ids no database column can hold
    (Django's own field lets the database raise an overflow error)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not str(value).isdigit() or not 0 < int(value) <= MAX_ID:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ReviewFilterForm(forms.Form):
    book = IdChoiceField(
        queryset=Book.objects.filter(reviews__live=True).distinct(),
        required=False,
        empty_label=_("Any book"),
    )
    series = IdChoiceField(
        # The public series are chosen in __init__: view restrictions are
        # read each time the form is built, not once per process.
        queryset=SeriesPage.objects.none(),
        required=False,
        empty_label=_("Any series"),
    )
    rating = forms.TypedChoiceField(
        choices=RATING_FLOOR_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        label=_("Rating"),
    )
    tag = forms.CharField(required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        series = cast(IdChoiceField, self.fields["series"])
        series.queryset = public_pages(SeriesPage.objects.live()).order_by("title")

    def filter(self, reviews: QuerySet) -> QuerySet:
        """Apply the valid filters; an invalid form filters nothing."""
        if not self.is_valid():
            return reviews
        data = self.cleaned_data
        if data["book"]:
            reviews = reviews.filter(book=data["book"])
        if data["series"]:
            reviews = reviews.filter(book__series_entries__series=data["series"])
        if data["rating"]:
            reviews = reviews.filter(rating__gte=data["rating"])
        if data["tag"]:
            reviews = reviews.filter(tags__name=data["tag"])
        return reviews.distinct()

    def querystring(self) -> str:
        """The active filters as a query string, for pagination links."""
        if not self.is_valid():
            return ""
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for name, value in self.data.items():
            if name in self.fields and value:
                query[name] = value
        return query.urlencode()
