"""A meeting's host is typed (a guest may host), and the admin suggests the
members' names as every page shows them, so a member hosting is named alike
on the discussion page and everywhere else."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory, discussion_index, make_discussion

pytestmark = pytest.mark.django_db


def host_input(html: str) -> tuple[str, list[str]]:
    """The host field's input tag, and the names its suggestions offer."""
    tag = re.search(r'<input[^>]*name="host"[^>]*>', html)
    assert tag is not None
    listed = re.search(r'list="([^"]+)"', tag[0])
    assert listed is not None, tag[0]
    options = re.search(rf'<datalist id="{listed[1]}">(.*?)</datalist>', html, re.S)
    assert options is not None
    return tag[0], re.findall(r'<option value="([^"]*)"', options[1])


def test_the_host_field_suggests_members_as_pages_name_them(client, editor, member):
    UserFactory(username="gone", first_name="Gone", is_active=False)
    UserFactory(username="nameless", first_name="", last_name="")
    client.force_login(editor)
    url = reverse(
        "wagtailadmin_pages:add",
        args=("reviews", "discussionpage", discussion_index().pk),
    )
    _tag, names = host_input(client.get(url).content.decode())
    assert "Alice Marsh" in names and "Edith Park" in names
    assert "Gone" not in names, "not a member any more"
    assert "A club member" not in names, "nobody by that name"
    assert names == sorted(set(names), key=str.casefold)


def test_a_guests_name_is_kept_as_typed(client, editor):
    page = make_discussion(host="Helen, our guest author")
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content
    tag, _names = host_input(html.decode())
    assert 'value="Helen, our guest author"' in tag
