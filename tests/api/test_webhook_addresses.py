"""A webhook never reaches the site's own machine or network.

Editors register webhook endpoints, and every delivery's status or error is
shown back to them. An endpoint at 127.0.0.1:6379 (Redis), 169.254.169.254
(a cloud's metadata) or 10.0.0.5 let an editor probe what only the server
can reach. Real HTTP servers on 127.0.0.1 stand for such services here:
each counts the requests it gets.
"""

from __future__ import annotations

import http.server
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from reviews import webhooks
from reviews.models import Webhook, WebhookDelivery
from tests.http_servers import serve_in_thread

pytestmark = pytest.mark.django_db


class Counting(http.server.HTTPServer):
    def __init__(self, answer: int, location: str = "") -> None:
        self.hits = 0
        self.answer, self.location = answer, location

        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                server.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(server.answer)
                if server.location:
                    self.send_header("Location", server.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


@pytest.fixture
def servers() -> Iterator[list[Counting]]:
    started: list[Counting] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def _server(servers: list[Counting], answer: int = 200, location: str = "") -> Counting:
    server = Counting(answer, location)
    serve_in_thread(server)
    servers.append(server)
    return server


def _deliver_to(url: str) -> WebhookDelivery:
    hook = Webhook.objects.create(name="Probe", url=url, secret="s")
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event="page.published", page_id=1, page_title="A", payload={}
    )
    webhooks.deliver.call(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost:8000/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://[::1]:8000/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        # IPv6 forms that carry a private IPv4 address: compatible,
        # translated, NAT64 (well-known and local-use), 6to4.
        "http://[::7f00:1]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[::ffff:0:7f00:1]/hook",
        "http://[64:ff9b::7f00:1]/hook",
        "http://[64:ff9b:1::7f00:1]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[2002:a00:5::]/hook",
    ],
)
def test_an_endpoint_on_a_private_address_is_refused_when_saved(url):
    with pytest.raises(ValidationError) as refused:
        Webhook(name="Probe", url=url, secret="s").full_clean()
    assert "url" in refused.value.message_dict


def test_a_public_endpoint_is_saved():
    Webhook(name="Frontend", url="https://93.184.215.14/hook", secret="s").full_clean()


def test_nothing_is_sent_to_a_private_address_even_if_stored(servers):
    """Stored before the check, or by a name that resolves elsewhere now:
    the delivery is refused before any connection."""
    local = _server(servers)
    delivery = _deliver_to(local.url)
    assert local.hits == 0
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert "not a public address" in delivery.last_error


def test_a_trusted_receiver_on_the_network_may_be_allowed(servers, settings):
    settings.BOOKCLUB_WEBHOOKS_PRIVATE_ADDRESSES = True
    local = _server(servers)
    Webhook(name="Frontend", url=local.url, secret="s").full_clean()
    delivery = _deliver_to(local.url)
    assert local.hits == 1
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED


def test_a_redirect_is_not_followed(servers, settings):
    """A receiver's redirect is its answer: a public endpoint must not lead
    the site on to another address."""
    settings.BOOKCLUB_WEBHOOKS_PRIVATE_ADDRESSES = True
    target = _server(servers)
    redirecting = _server(servers, answer=307, location=target.url)
    delivery = _deliver_to(redirecting.url)
    assert redirecting.hits == 1
    assert target.hits == 0
    assert delivery.response_status == 307
    assert delivery.status == WebhookDelivery.Status.RETRYING


def test_a_delivery_connects_to_the_address_that_was_checked(monkeypatch):
    """A name that answers a public address when checked and 127.0.0.1 a
    moment later (DNS rebinding, a TTL of 0) must not reach the second one:
    the connection goes to the checked address. The resolver and the
    connection are stood in for: no test can make a real name rebind."""
    import socket

    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])
    looked_up: list[str] = []
    connected: list[tuple] = []

    def rebinding(host, *args, **kwargs):
        looked_up.append(host)
        address = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    def connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("stood in")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "create_connection", connection)

    with pytest.raises(OSError):
        webhooks.post("http://rebind.example:8601/hook", b"{}", {})

    assert looked_up == ["rebind.example"]
    assert connected == [("93.184.215.14", 8601)]
