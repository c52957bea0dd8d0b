"""The review index's filter form: the same markup as Django's, built fast
enough for a club with thousands of books."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from reviews.filters import PlainSelect, ReviewFilterForm
from reviews.models import ReviewIndexPage, SeriesEntry, SeriesIndexPage, SeriesPage
from tests.factories import (
    BookFactory,
    make_review,
    make_series,
    review_index,
    site_root,
)

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


@pytest.mark.parametrize("value", [None, "", "2", 30, "999", '"><b>'])
def test_options_written_beforehand_render_what_djangos_select_does(value):
    """The review index keeps its book options' markup, none chosen, and
    marks the chosen one as it renders."""
    attrs = {"id": "id_book", "class": "wide"}
    stock = forms.Select(choices=CHOICES).render("book", value, attrs=attrs)
    kept = PlainSelect()
    kept.written_options = PlainSelect.write_options(CHOICES)
    assert kept.render("book", value, attrs=attrs) == stock


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


def _index_under(parent, slug: str, *, live: bool = True):
    index = ReviewIndexPage(title=slug.title(), slug=slug)
    parent.add_child(instance=index)
    index.save_revision().publish()
    if not live:
        index.unpublish()
    return index


def _options(html: str) -> str:
    """The book filter's ``<select>``, where a book is named."""
    start = html.index('<select name="book"')
    return html[start : html.index("</select>", start)]


def test_a_review_on_another_site_does_not_name_its_book(client):
    here = review_index()
    make_review(book=BookFactory(title="Home Book"), parent=here)
    other_root = Page(title="Other club", slug="other-club")
    Page.get_first_root_node().add_child(instance=other_root)
    Site.objects.create(hostname="other.example", port=80, root_page=other_root)
    there = _index_under(other_root, "their-reviews")
    make_review(book=BookFactory(title="Elsewhere Book"), parent=there)
    html = client.get(here.url).content.decode()
    assert "Home Book" in _options(html)
    assert "Elsewhere Book" not in html


@pytest.mark.parametrize("hidden_by", ["unpublished", "restricted"])
def test_a_review_under_a_hidden_index_does_not_name_its_book(client, hidden_by):
    here = review_index()
    make_review(book=BookFactory(title="Open Book"), parent=here)
    hidden = _index_under(site_root(), "hidden-reviews")
    make_review(book=BookFactory(title="Hidden Book"), parent=hidden)
    if hidden_by == "unpublished":
        hidden.unpublish()
    else:
        PageViewRestriction.objects.create(
            page=hidden, restriction_type=PageViewRestriction.LOGIN
        )
    html = client.get(here.url).content.decode()
    assert "Open Book" in _options(html)
    assert "Hidden Book" not in html


@pytest.mark.parametrize("hidden_by", ["unpublished", "restricted"])
def test_a_review_below_a_hidden_ancestor_does_not_name_its_book(client, hidden_by):
    here = review_index()
    make_review(book=BookFactory(title="Open Book"), parent=here)
    section = Page(title="Section", slug="section")
    site_root().add_child(instance=section)
    section.save_revision().publish()
    below = _index_under(section, "section-reviews")
    make_review(book=BookFactory(title="Hidden Book"), parent=below)
    if hidden_by == "unpublished":
        section.unpublish()  # the index and its review stay live
    else:
        PageViewRestriction.objects.create(
            page=section, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    for index in (here, below):
        response = client.get(index.url)
        assert b"Hidden Book" not in response.content, (index.slug, hidden_by)
    assert "Open Book" in _options(client.get(here.url).content.decode())


def _series_under(parent, slug: str, title: str):
    index = SeriesIndexPage(title=slug.title(), slug=slug)
    parent.add_child(instance=index)
    index.save_revision().publish()
    series = SeriesPage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        author="Someone Else",
        entries=[SeriesEntry(book=BookFactory(), position=1)],
    )
    index.add_child(instance=series)
    series.save_revision().publish()
    return index


def _series_options(html: str) -> str:
    start = html.index('<select name="series"')
    return html[start : html.index("</select>", start)]


@pytest.mark.parametrize("hidden_by", ["other_site", "unpublished", "restricted"])
def test_the_series_filter_names_no_series_the_reader_cannot_reach(client, hidden_by):
    here = review_index()
    book = BookFactory(title="Open Book")
    make_review(book=book, parent=here)
    make_series("Open Series", [(book, 1)])
    if hidden_by == "other_site":
        other_root = Page(title="Other club", slug="other-club")
        Page.get_first_root_node().add_child(instance=other_root)
        Site.objects.create(hostname="other.example", port=80, root_page=other_root)
        _series_under(other_root, "their-series", "Elsewhere Series")
    else:
        hidden = _series_under(site_root(), "more-series", "Hidden Series")
        if hidden_by == "unpublished":
            hidden.unpublish()  # the series below it stays live
        else:
            PageViewRestriction.objects.create(
                page=hidden, restriction_type=PageViewRestriction.LOGIN
            )
    html = client.get(here.url).content.decode()
    assert "Open Series" in _series_options(html)
    assert "Elsewhere Series" not in html
    assert "Hidden Series" not in html


def _unpublish_the_series(series, _index):
    series.unpublish()


def _restrict_the_series(series, _index):
    PageViewRestriction.objects.create(
        page=series, restriction_type=PageViewRestriction.LOGIN
    )


def _restrict_its_index(_series, index):
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )


def _unpublish_its_index(_series, index):
    index.unpublish()  # the series below it stays live


def _delete_the_series(series, _index):
    series.delete()


def _rename_in_a_script(series, _index):
    series.title = "Renamed Series"
    series.save()


def _rename_in_a_revision(series, _index):
    series.title = "Renamed Series"
    series.save_revision().publish()


@pytest.fixture
def open_series():
    """A review index with one review and a series of its book, every page
    built afresh (no page cache): the series choices alone are kept."""
    here = review_index()
    book = BookFactory(title="Open Book")
    review = make_review(book=book, parent=here)
    make_series("Open Series", [(book, 1)])
    with override_settings(BOOKCLUB_PAGE_CACHE=False):
        yield here, review


@pytest.mark.parametrize(
    "change",
    [
        _unpublish_the_series,
        _restrict_the_series,
        _restrict_its_index,
        _unpublish_its_index,
        _delete_the_series,
        _rename_in_a_script,
        _rename_in_a_revision,
    ],
    ids=lambda change: change.__name__.strip("_"),
)
def test_the_series_choices_follow_a_change_at_once(client, open_series, change):
    """The series options are kept between requests (each process keeps
    their markup): the page built after any change that hides or renames a
    series names it no more."""
    here, _review = open_series
    assert "Open Series" in _series_options(client.get(here.url).content.decode())
    change(SeriesPage.objects.get(title="Open Series"), SeriesIndexPage.objects.get())
    html = client.get(here.url).content.decode()
    assert "Open Series" not in html
    if "rename" in change.__name__:
        assert "Renamed Series" in _series_options(html)


def test_a_new_series_is_a_choice_at_once(client, open_series):
    here, review = open_series
    client.get(here.url)
    make_series("Second Series", [(review.book, 2)])
    options = _series_options(client.get(here.url).content.decode())
    assert "Open Series" in options and "Second Series" in options


def test_a_review_published_leaves_the_series_choices(client, open_series):
    """A review's new revision (most publishes) changes no series: the index
    rebuilt after it reads no series page for its choices."""
    here, review = open_series
    client.get(here.url)
    review.summary = "Edited."
    review.save_revision().publish()
    with CaptureQueriesContext(connection) as queries:
        html = client.get(here.url).content.decode()
    assert "Open Series" in _series_options(html)
    series_table = SeriesPage._meta.db_table
    assert not [q["sql"] for q in queries if series_table in q["sql"]]
