"""A member makes and revokes her own API token in the admin (Settings →
API tokens), as a frontend's sign-in asks of her; she sees and manages no
one else's. Only a superuser could, so every member's token was an
administrator's errand."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from wagtail.models import APIToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["member", "editor"])
def test_a_member_makes_her_own_token_and_reads_with_it(
    client, club_member, groups, role
):
    from reviews.roles import EDITORS

    if role == "editor":
        club_member.groups.add(groups[EDITORS])
    other = UserFactory(username="other")
    APIToken.create_token(user=other, name="Theirs")
    client.force_login(club_member)

    listing = client.get("/admin/api-tokens/")
    assert listing.status_code == 200
    assert "Theirs" not in listing.content.decode()
    form = client.get("/admin/api-tokens/new/")
    assert form.status_code == 200
    assert "other" not in form.content.decode()  # she names no one else

    created = client.post(
        "/admin/api-tokens/new/", {"name": "My frontend", "user": club_member.pk}
    )
    assert created.status_code == 200
    token = APIToken.objects.get(name="My frontend")
    assert token.user == club_member
    plaintext = next(
        word
        for word in re.findall(r"[A-Za-z0-9_]{20,}", created.content.decode())
        if APIToken.validate_token_format(word)
    )
    # API v3 takes no session: the token alone authenticates her.
    mine = Client().get(
        "/api/v3/reviews/?mine=true", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
    )
    assert mine.status_code == 200

    # Another member's owner id in the form makes no token of theirs.
    client.force_login(club_member)
    client.post("/admin/api-tokens/new/", {"name": "Planted", "user": other.pk})
    assert not APIToken.objects.filter(name="Planted", user=other).exists()
