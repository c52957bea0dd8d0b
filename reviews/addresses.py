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


#: IPv6 ranges whose last 32 bits are an IPv4 address (IPv4-compatible,
#: -mapped and -translated, NAT64's well-known prefix): that address counts.
_CARRYING_IPV4 = [
    ipaddress.ip_network(net)
    for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
]
#: Local-use NAT64 (RFC 8215): it may embed any address anywhere.
_TRANSLATED_LOCALLY = ipaddress.ip_network("64:ff9b:1::/48")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: Address) -> bool:
    """Is ``address`` public, and so is any IPv4 address it carries (6to4,
    Teredo, NAT64, IPv4-mapped or -compatible forms of 127.0.0.1 are not)?"""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _TRANSLATED_LOCALLY:
            return False
        carried = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            carried.append(address.teredo[1])
        if any(address in net for net in _CARRYING_IPV4):
            carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if not all(ipv4.is_global for ipv4 in carried if ipv4 is not None):
            return False
    return address.is_global


def _addresses(host: str) -> list[Address]:
    """``host`` as an address, or what it resolves to (raises ``OSError``
    when it does not resolve)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def checked_addresses(url: str, *, unresolved_ok: bool = False) -> list[str]:
    """The addresses ``url``'s host is or resolves to, every one public
    (:func:`is_public`), else :class:`PrivateAddress`. A host that does not
    resolve raises ``OSError``, or gives none with ``unresolved_ok`` (an
    endpoint saved before its receiver's name exists is checked again when
    delivered to); none either when private addresses are allowed. A
    caller connects to one of these, not to the name resolved again: the
    name could answer a private address the second time."""
    if private_addresses_allowed():
        return []
    host = urlsplit(url).hostname
    if not host:
        raise PrivateAddress("The URL names no host.")
    try:
        addresses = _addresses(host)
    except OSError:
        if unresolved_ok:
            return []
        raise
    for address in addresses:
        if not is_public(address):
            raise PrivateAddress(
                f"{host} is, or resolves to, {address}, which is not a public "
                "address: the site sends nothing to its own machine or network."
            )
    return [str(address) for address in addresses]


def refuse_private_host(url: str, *, unresolved_ok: bool = False) -> None:
    """:func:`checked_addresses`, for its refusal only."""
    checked_addresses(url, unresolved_ok=unresolved_ok)
