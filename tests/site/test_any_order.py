"""The suite passes in any order: after a test that really commits, the
database holds what the migrations created, and new rows get new ids."""

import pytest
from django.contrib.auth.models import Group

from tests.conftest import restore_migrated_rows
from tests.factories import review_index


@pytest.mark.django_db(transaction=True)
def test_rows_put_back_after_a_committing_test_leave_new_ids_free():
    """The migrated rows go back with their own ids; the next row of each
    table must not be given one of them (on PostgreSQL the flush restarts
    every sequence at 1, so the sequences are set past the rows again)."""
    Group.objects.create(name="Committed")  # a committing test's own row

    restore_migrated_rows()

    assert not Group.objects.filter(name="Committed").exists()
    Group.objects.create(name="After")
    review_index()  # a page under the site's root
