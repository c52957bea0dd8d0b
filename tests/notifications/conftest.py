"""A real SMTP server (aiosmtpd) that keeps the raw bytes of each message,
and a small club: a book, a member at chapter 5 who follows it, a reviewer."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from reviews.models import Follow
from tests.factories import BookFactory, ReadingProgressFactory, UserFactory


@dataclass
class RawInbox:
    """Each message as the SMTP server received it, and parsed."""

    raw: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(data, policy=policy.default) for data in self.raw]

    def only(self) -> tuple[bytes, EmailMessage]:
        assert len(self.raw) == 1, [m["Subject"] for m in self.messages]
        return self.raw[0], self.messages[0]


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[RawInbox]:
    inbox = RawInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=5,
        ):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def book(db):
    return BookFactory(title="The Siege", chapter_count=30)


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
