"""A member's progress is theirs and the editors', nobody else's."""

import pytest
from django.contrib.auth.models import Group

from reviews.roles import EDITORS, MEMBERS
from tests.factories import ReadingProgressFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTING = "/admin/snippets/reviews/readingprogress/"


@pytest.fixture
def progress(betrayal):
    owner = UserFactory(username="owner", first_name="Olive", last_name="Owner")
    return ReadingProgressFactory(member=owner, book=betrayal, chapter=11)


def test_editors_see_members_progress_in_the_admin(client, groups, progress):
    editor = UserFactory(username="ed")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    response = client.get(LISTING)
    assert response.status_code == 200
    assert "The Betrayal" in response.content.decode()


def test_other_members_cannot_see_it_in_the_admin(client, groups, progress):
    other = UserFactory(username="nosy")
    other.groups.add(Group.objects.get(name=MEMBERS))
    client.force_login(other)
    # Her admin answers as for views and rows that do not exist: a redirect
    # for an id that exists would say so (reviews/admin_privacy.py).
    response = client.get(LISTING)
    assert response.status_code == 404
    assert "The Betrayal" not in response.content.decode()
    edit = client.get(f"{LISTING}edit/{progress.pk}/")
    assert edit.status_code == 404
    assert client.get(f"{LISTING}edit/{progress.pk + 10_000}/").status_code == 404


def test_other_members_pages_never_show_it(client, progress, review):
    other = UserFactory(username="nosy")
    client.force_login(other)
    for url in (review.url, "/reading/"):
        html = client.get(url).content.decode()
        assert "chapter 11" not in html
        assert "Olive" not in html
