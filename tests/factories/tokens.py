"""API v3 bearer tokens for a user, as headers or as a test client."""

from __future__ import annotations

from django.test import Client
from wagtail.models import APIToken


def bearer(user) -> dict[str, str]:
    """Headers for an API v3 request as ``user``, with a fresh token."""
    _token, plaintext = APIToken.create_token(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def token_client(user) -> Client:
    """A test client that sends ``Authorization: Bearer <token>`` for ``user``."""
    _, plaintext = APIToken.create_token(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
