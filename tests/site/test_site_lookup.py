"""Which Site answers a request: Wagtail's rule (the hostname and port, else
the default Site), read from the database once in each process per change
of the sites, and never the Site as it was before a change committed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

#: Committed, as a writer in another process commits: on PostgreSQL the
#: database's triggers retire the sites' tag at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

OTHER_HOST = "127.0.0.1"


@pytest.fixture
def other_site() -> Site:
    root = Page.get_first_root_node()
    other_root = root.add_child(instance=Page(title="Another club", slug="another"))
    return Site.objects.create(
        hostname=OTHER_HOST, port=80, root_page=other_root, site_name="Another club"
    )


def _site_of(host: str) -> Site | None:
    return Site.find_for_request(RequestFactory().get("/", HTTP_HOST=host))


def _site_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "wagtailcore_site" in q["sql"]]


def test_a_host_is_answered_as_its_site_and_any_other_as_the_default(other_site):
    default = Site.objects.get(is_default_site=True)
    assert _site_of(OTHER_HOST).pk == other_site.pk
    assert _site_of("localhost").pk == default.pk
    assert _site_of("testserver").pk == default.pk


def test_the_second_request_reads_no_site(other_site):
    _site_of(OTHER_HOST)
    with CaptureQueriesContext(connection) as queries:
        site = _site_of(OTHER_HOST)
    assert site.pk == other_site.pk
    assert _site_queries(queries.captured_queries) == []


def test_each_request_gets_a_site_of_its_own(other_site):
    """What a request does to its Site (Wagtail caches the root page on it)
    stays with that request."""
    first = _site_of(OTHER_HOST)
    first.site_name = "changed by one request"
    assert first.root_page.title == "Another club"
    second = _site_of(OTHER_HOST)
    assert second is not first
    assert second.site_name == "Another club"


def test_a_host_changed_without_signals_is_honoured_at_once(other_site):
    assert _site_of(OTHER_HOST).pk == other_site.pk
    Site.objects.filter(pk=other_site.pk).update(hostname="elsewhere.example")
    assert _site_of(OTHER_HOST).pk == Site.objects.get(is_default_site=True).pk


def test_a_new_default_site_is_honoured_at_once(other_site):
    assert _site_of("testserver").pk != other_site.pk
    Site.objects.update(is_default_site=False)
    Site.objects.filter(pk=other_site.pk).update(is_default_site=True)
    assert _site_of("testserver").pk == other_site.pk


def test_a_new_root_page_is_honoured_at_once(other_site):
    assert _site_of(OTHER_HOST).root_page.title == "Another club"
    newer = Page.get_first_root_node().add_child(
        instance=Page(title="A new home", slug="new-home")
    )
    Site.objects.filter(pk=other_site.pk).update(root_page=newer)
    assert _site_of(OTHER_HOST).root_page.title == "A new home"


def test_a_root_page_renamed_is_read_as_it_is_now(other_site):
    """The Site is kept, its root page never: a request reads it afresh."""
    assert _site_of(OTHER_HOST).root_page.title == "Another club"
    Page.objects.filter(pk=other_site.root_page_id).update(title="Renamed")
    assert _site_of(OTHER_HOST).root_page.title == "Renamed"


def test_a_deleted_site_is_gone_at_once(other_site):
    assert _site_of(OTHER_HOST).pk == other_site.pk
    Site.objects.filter(pk=other_site.pk).delete()
    assert _site_of(OTHER_HOST).pk == Site.objects.get(is_default_site=True).pk


def test_without_any_site_no_site_answers():
    Site.objects.all().delete()
    assert _site_of("localhost") is None
