"""Where the site may send a request on an editor's word: a webhook's URL.

An editor (not an administrator) registers webhook endpoints, and every
delivery's status or connection error is shown back in the admin. Without
a check, an endpoint on the site's own machine or network (Redis on
127.0.0.1:6379, a cloud's metadata service on 169.254.169.254, a database
on 10.0.0.5) let an editor probe what only the server can reach. So a
webhook's host must be, and resolve only to, public addresses, when the
endpoint is saved and again before each delivery (the name may resolve
elsewhere by then). ``BOOKCLUB_WEBHOOKS_PRIVATE_ADDRESSES = True`` allows
the others, for a receiver on the same network that the club trusts.

Written here rather than taken from a library: the check is the standard
library's ``ipaddress.is_global`` on what ``getaddrinfo`` answers, and no
well-kept package does only that.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

SETTING = "BOOKCLUB_WEBHOOKS_PRIVATE_ADDRESSES"


class PrivateAddress(ValueError):
    """The URL's host is, or resolves to, an address that is not public."""


def private_addresses_allowed() -> bool:
    return bool(getattr(settings, SETTING, False))


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """``host`` as an address, or what it resolves to (raises ``OSError``
    when it does not resolve)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def refuse_private_host(url: str, *, unresolved_ok: bool = False) -> None:
    """Raise :class:`PrivateAddress` unless every address ``url``'s host is
    or resolves to is public. A host that does not resolve raises
    ``OSError``, or passes with ``unresolved_ok`` (an endpoint saved before
    its receiver's name exists is checked again when delivered to)."""
    if private_addresses_allowed():
        return
    host = urlsplit(url).hostname
    if not host:
        raise PrivateAddress("The URL names no host.")
    try:
        addresses = _addresses(host)
    except OSError:
        if unresolved_ok:
            return
        raise
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            raise PrivateAddress(
                f"{host} is, or resolves to, {address}, which is not a public "
                "address: the site sends nothing to its own machine or network."
            )
