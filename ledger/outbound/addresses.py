"""Where outbound webhooks may go: public addresses only (docs/security.md, "Outbound").

A subscription's URL is chosen by whoever runs ``ledger subscription create``, and the
service then POSTs to it from inside the operator's network, with every anchored
checkpoint and every entry's clear fields. Pointed at ``127.0.0.1``, ``localhost``,
``169.254.169.254`` (a cloud's metadata service) or a host of the internal network, it
would make the ledger a probe of what only the network should reach. So a destination
must be a public unicast address, checked twice:

- at creation (``check_destination``): the URL's host, a literal address in any form
  the resolver takes (``0x7f000001``, ``2130706433``, ``0177.1``, ``[::1]``,
  ``[::ffff:127.0.0.1]``) or a name, is resolved and every address it gives must be
  allowed; ``localhost`` and ``*.localhost`` are refused without asking DNS. A name
  that does not resolve yet is accepted: the check at connect time decides.
- at each connection (``resolve``): the name is resolved once, every address must be
  allowed, and the connection goes to that checked address (``ledger.outbound.delivery``
  pins it), so a DNS answer that changes between the check and the connect cannot
  redirect it. TLS still checks the certificate for the URL's name (SNI), and ``Host``
  is the URL's.

Refused: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10),
multicast, reserved, unspecified, shared (100.64/10), documentation and benchmarking
ranges, and every address ``ipaddress`` does not call global, IPv4-mapped and 6to4
forms included. ``LEDGER_OUTBOUND_ALLOW_PRIVATE=1`` allows them all, for development
and tests; ``/healthz`` then says ``"private_addresses": "allowed"``.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from ledger.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(InvalidInput):
    """A subscription's destination is not a public address."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="url", code="destination_not_allowed")


def why_refused(address: IPAddress) -> str | None:
    """Why ``address`` is no destination for a webhook, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return why_refused(embedded)
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not address.is_global:
        return "not a public address"
    return None


def _is_localhost(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _lookup(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # an IPv6 zone id is not part of it
        address = ipaddress.ip_address(text)
        if address not in found:
            found.append(address)
    return found


def _refuse(host: str, addresses: list[IPAddress]) -> None:
    for address in addresses:
        reason = why_refused(address)
        if reason is not None:
            shown = f"{host} ({address})" if host != str(address) else host
            raise DestinationRefused(
                f"webhooks go to public addresses only: {shown} is {reason} "
                "(LEDGER_OUTBOUND_ALLOW_PRIVATE=1 allows it, for development)"
            )


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def check_destination(url: str, allow_private: bool) -> None:
    """At creation: refuse a URL whose host is or resolves to a non-public address."""
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _is_localhost(host):
        raise DestinationRefused(f"webhooks go to public addresses only: {host} is loopback")
    try:
        addresses = _lookup(host, parts.port or default_port(parts.scheme))
    except (OSError, UnicodeError, ValueError):
        return  # not resolvable now: every connection checks again
    _refuse(host, addresses)


def resolve(host: str, port: int, allow_private: bool) -> IPAddress:
    """At connect time: the one address to connect to, every address of ``host`` checked.

    Raises ``DestinationRefused`` for a non-public address, ``OSError`` when the name
    does not resolve.
    """
    if not allow_private and _is_localhost(host):
        raise DestinationRefused(f"webhooks go to public addresses only: {host} is loopback")
    try:
        addresses = _lookup(host, port)
    except (UnicodeError, ValueError) as e:
        raise OSError(f"cannot resolve {host!r}") from e
    if not addresses:
        raise OSError(f"{host!r} has no address")
    if not allow_private:
        _refuse(host, addresses)
    return addresses[0]
