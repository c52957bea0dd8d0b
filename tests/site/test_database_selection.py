"""CI's PostgreSQL suite leaves out only the tests that cannot reach the
database (``--only-database-tests``): every way a test can open it counts."""

import pytest
from django.test import SimpleTestCase, TestCase

from tests.conftest import uses_database


@pytest.fixture(scope="module")
def opened_by_hand(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def test_plain():
    pass


def test_with_the_db_fixture(db):
    pass


@pytest.mark.django_db
def test_marked():
    pass


def test_through_a_fixture_of_ours(opened_by_hand):
    pass


def test_through_a_live_server(live_server):
    pass


class DjangoTestCase(TestCase):
    def test_in_a_test_case(self):
        pass


class DjangoSimpleTestCase(SimpleTestCase):
    def test_in_a_simple_test_case(self):
        pass


EXPECTED = {
    "test_plain": False,
    "test_in_a_simple_test_case": False,
    "test_with_the_db_fixture": True,
    "test_marked": True,
    "test_through_a_fixture_of_ours": True,
    "test_through_a_live_server": True,
    "test_in_a_test_case": True,
}


def test_each_way_to_the_database_is_recognised(request):
    here = [
        item
        for item in request.session.items
        if item.path == request.node.path and item.name in EXPECTED
    ]
    # Run with -k or --only-database-tests, some are not collected: check
    # those that are, and this module must at least hold the plain one.
    assert here, "this module's tests were not collected"
    assert {item.name: uses_database(item) for item in here} == {
        item.name: EXPECTED[item.name] for item in here
    }
    assert uses_database(request.node) is False
