"""The site's email through a real SMTP server (``smtp_inbox``,
tests/fixtures/mail.py) and a small club: The Siege (``book``), a member at
chapter 5 who follows it, a reviewer."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from reviews.models import Follow
from tests.factories import ReadingProgressFactory, UserFactory
from tests.fixtures.mail import Inbox


def parts(message: EmailMessage) -> tuple[str, str]:
    """The decoded plain-text and HTML parts."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def everything(raw: bytes, message: EmailMessage) -> str:
    """The raw bytes and every decoded part, headers included, as one text:
    a canary absent from this is absent however a client decodes it."""
    text, html = parts(message)
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    return "\n".join([raw.decode("utf-8", "replace"), headers, text, html])


@pytest.fixture
def smtp(smtp_inbox) -> Inbox:
    """The site's email goes to a real local SMTP server."""
    return smtp_inbox


@pytest.fixture
def reader(book):
    """Nina has read up to chapter 5 and follows the book."""
    nina = UserFactory(username="nina", first_name="Nina", last_name="Vale")
    ReadingProgressFactory(member=nina, book=book, chapter=5)
    Follow.objects.create(member=nina, book=book)
    return nina


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rob", first_name="Rob", last_name="Hale")
