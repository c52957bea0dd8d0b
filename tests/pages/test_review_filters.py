"""The review index's filter form: the same markup as Django's, built fast
enough for a club with thousands of books."""

from __future__ import annotations

import pytest
from django import forms
from wagtail.models import PageViewRestriction

from reviews.filters import PlainSelect, ReviewFilterForm
from tests.factories import BookFactory, make_review, review_index

pytestmark = pytest.mark.django_db

CHOICES = [
    ("", "Any book"),
    (1, 'Fish & "Chips" <b>'),
    (2, "L'Étranger"),
    (30, "Plain"),
]


@pytest.mark.parametrize("value", [None, "", "2", 30, "999"])
def test_a_plain_select_renders_what_djangos_select_does(value):
    attrs = {"id": "id_book", "class": "wide", "required": True, "hidden": False}
    stock = forms.Select(choices=CHOICES).render("book", value, attrs=attrs)
    plain = PlainSelect(choices=CHOICES).render("book", value, attrs=attrs)
    assert plain == stock


def test_a_plain_select_renders_groups_as_django_does():
    choices = [("Old", [(1, "One"), (2, "Two")]), (3, "Three")]
    stock = forms.Select(choices=choices).render("n", "2", attrs={"id": "id_n"})
    assert PlainSelect(choices=choices).render("n", "2", attrs={"id": "id_n"}) == stock


def test_the_book_choices_are_the_books_of_public_reviews(client):
    shown = BookFactory(title="Shown Book")
    private = BookFactory(title="Private Book")
    BookFactory(title="Unreviewed Book")
    make_review(book=shown, title="Open")
    hidden = make_review(book=private, title="Closed")
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.LOGIN
    )
    html = client.get(review_index().url).content.decode()
    assert f'<option value="{shown.pk}">Shown Book (' in html
    assert "Private Book" not in html
    assert "Unreviewed Book" not in html


def test_a_chosen_book_filters_and_stays_selected(client):
    one, other = BookFactory(title="One"), BookFactory(title="Other")
    make_review(book=one, title="About one")
    make_review(book=other, title="About other")
    html = client.get(review_index().url, {"book": one.pk}).content.decode()
    assert f'<option value="{one.pk}" selected>One (' in html
    assert "About one" in html and "About other" not in html
    form = ReviewFilterForm({"book": str(other.pk + 1000)})
    assert not form.is_valid()
