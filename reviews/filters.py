"""The reader-facing filters of the review index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import cache_tags
from .counts import query_key
from .derived import for_tag_version, for_tags_in_process
from .models import Book, SeriesPage
from .models.books import book_label
from .models.reviews import listed_reviews
from .visibility import reachable_pages

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


class PlainSelect(forms.Select):
    """Django's ``<select>``, written directly rather than through a template
    per option.

    Hand-written because Django renders every option through two template
    includes: with the thousands of books a club reviews, that was most of
    the review index's build (seconds at 20,000 reviews), paid again by the
    first reader after each publish. The markup is the same as Django's
    (tests/pages/test_review_filters.py compares them).
    """

    #: The options' markup with none chosen, when written beforehand
    #: (:meth:`write_options`, kept while the choices stay the same):
    #: rendering then only marks the chosen one.
    written_options: str | None = None

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = [str(v) for v in self.format_value(value)]
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.written_options is None:
            options = self.write_options(self.choices, set(chosen))
        else:
            options = self._choose(self.written_options, chosen)
        return mark_safe(  # noqa: S308 (every value is escaped)
            f'<select name="{escape(name)}"{_attrs(final_attrs)}>{options}\n</select>'
        )

    @classmethod
    def write_options(cls, choices: Iterable[Any], chosen: Iterable[str] = ()) -> str:
        """The markup of ``choices`` (Django's form), the first of
        ``chosen`` selected."""
        left = set(chosen)
        parts = []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                parts.append(f'\n  <optgroup label="{escape(option_value)}">')
                for sub_value, sub_label in label:
                    parts.append(cls._option(sub_value, sub_label, left))
                parts.append("\n  </optgroup>")
            else:
                parts.append(cls._option(option_value, label, left))
        return "".join(parts)

    @staticmethod
    def _choose(options: str, chosen: list[str]) -> str:
        """``options`` (written with none chosen) with the option of the
        first of ``chosen`` they hold selected. Values and labels are
        escaped, so an option's opening tag is found nowhere else."""
        for value in chosen:
            plain = f'\n  <option value="{escape(value)}">'
            if plain in options:
                selected = f'\n  <option value="{escape(value)}" selected>'
                return options.replace(plain, selected, 1)
        return options

    @staticmethod
    def _option(value: Any, label: Any, chosen: set[str]) -> str:
        value = "" if value is None else str(value)
        selected = " selected" if value in chosen else ""
        if selected:
            chosen.clear()  # one selected option, as in Django's Select
        return (
            f'\n  <option value="{escape(value)}"{selected}>{escape(label)}</option>\n'
        )


def _attrs(attrs: dict[str, Any]) -> str:
    """Attributes as Django's ``attrs.html`` writes them, in their order."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _reviewed_books(reviews: QuerySet) -> QuerySet:
    """The books of ``reviews``: a book whose only reviews a reader may not
    see (private, unpublished, on another site's tree) is never named."""
    return Book.objects.filter(pk__in=reviews.order_by().values("book_id"))


def _book_options(books: QuerySet, empty_label: str) -> str:
    """The book choices' markup (:meth:`PlainSelect.write_options`), none
    chosen, kept until a change retires
    :data:`~reviews.cache_tags.PUBLIC_REVIEWS`: which reviews are public
    and which books they are about (a hash join over every review) move
    with that tag alone, and so do the books' names. Thousands of books
    make it most of the review index: written again after every publish,
    it was a third of the page's rebuild."""
    rows = books.values_list("pk", "title", "author")

    def write() -> str:
        choices = [(pk, book_label(title, author)) for pk, title, author in rows]
        return PlainSelect.write_options([("", empty_label), *choices])

    key = query_key(rows)
    if key is None:
        return PlainSelect.write_options([("", empty_label)])
    name = f"reviewed-books:{get_language()}:{key}"
    return for_tag_version(cache_tags.PUBLIC_REVIEWS, name, write)


def _series_options(series: QuerySet, empty_label: str) -> str:
    """The series choices' markup, none chosen, kept in each process until a
    change retires :data:`~reviews.cache_tags.SERIES` (a series published,
    edited, unpublished or deleted) or :data:`~reviews.cache_tags.SITE` (a
    move, a view restriction, a Site, an index or an ancestor published or
    unpublished): which series are reachable, and their titles, move with
    those alone. Each choice was a whole series page built for its id and
    title, after every publish: at 20,000 reviews about a seventh of the
    index's rebuild."""
    rows = series.values_list("pk", "title")

    def write() -> str:
        return PlainSelect.write_options([("", empty_label), *rows])

    key = query_key(rows)
    if key is None:
        return PlainSelect.write_options([("", empty_label)])
    name = f"reachable-series:{get_language()}:{key}"
    return for_tags_in_process((cache_tags.SERIES, cache_tags.SITE), name, write)


class ReviewFilterForm(forms.Form):
    book = IdChoiceField(
        # The reviewed books are chosen in __init__, like the series.
        queryset=Book.objects.none(),
        required=False,
        empty_label=_("Any book"),
        widget=PlainSelect,
    )
    series = IdChoiceField(
        # The public series are chosen in __init__: view restrictions are
        # read each time the form is built, not once per process.
        queryset=SeriesPage.objects.none(),
        required=False,
        empty_label=_("Any series"),
        widget=PlainSelect,
    )
    rating = forms.TypedChoiceField(
        choices=RATING_FLOOR_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        label=_("Rating"),
    )
    tag = forms.CharField(required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        reviews: QuerySet | None = None,
        series: QuerySet | None = None,
        **kwargs: Any,
    ) -> None:
        """``reviews``: those the index lists; ``series``: those it may name
        (by default every live one that is public and below no unpublished
        page, as for the reviews)."""
        super().__init__(*args, **kwargs)
        if reviews is None:
            reviews = listed_reviews()
        if series is None:
            series = SeriesPage.objects.live()
        series_field = cast(IdChoiceField, self.fields["series"])
        series_field.queryset = reachable_pages(series).order_by("title")
        cast(PlainSelect, series_field.widget).written_options = _series_options(
            series_field.queryset, str(series_field.empty_label)
        )
        book = cast(IdChoiceField, self.fields["book"])
        book.queryset = _reviewed_books(reviews)
        # Written from plain rows, not a model instance per book, and kept;
        # the queryset still decides what is valid.
        cast(PlainSelect, book.widget).written_options = _book_options(
            book.queryset, str(book.empty_label)
        )

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

    def narrows(self) -> bool:
        """Does :meth:`filter` list fewer reviews than it is given?"""
        return self.is_valid() and any(self.cleaned_data.values())

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
