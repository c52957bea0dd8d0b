"""A real SMTP server on 127.0.0.1 for the accounts tests (aiosmtpd)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from tests.ports import free_port


@dataclass
class Inbox:
    """What the local SMTP server received, as parsed email messages."""

    messages: list[EmailMessage] = field(default_factory=list)
    #: Each message exactly as the server received it.
    raw: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.raw.append(envelope.content)
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def only(self) -> EmailMessage:
        assert len(self.messages) == 1, [m["Subject"] for m in self.messages]
        return self.messages[0]

    def only_raw(self) -> tuple[bytes, EmailMessage]:
        """The one message received, as raw bytes and parsed."""
        return self.raw[self.messages.index(self.only())], self.messages[0]


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage) -> str:
    """The path of the one http(s) link in a message's text."""
    urls = re.findall(r"https?://[^\s]+", body_text(message))
    assert len(urls) == 1, urls
    return re.sub(r"^https?://[^/]+", "", urls[0])


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    """Send the site's email through Django's SMTP backend to a local server."""
    inbox = Inbox()
    port = free_port()
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
