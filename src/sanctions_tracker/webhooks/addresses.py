"""Where webhooks may go: only http(s), and only to the hosts the `webhook_allowed_hosts`
setting allows, so the service cannot be used to probe the network it runs in. A host name is
checked when the subscription is made and its resolved addresses again at every delivery, and
the delivery connects to the very address that was checked (no second lookup to rebind)."""

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

PUBLIC = "public"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL or the address it resolves to is not allowed."""


@dataclass(frozen=True)
class Target:
    host: str
    address: str  # the checked IP address to connect to


def check_url(url: str, allowed: Sequence[str]) -> str:
    """The URL's host, if the URL may be subscribed to; `Refused` says why not. Literal
    addresses are judged now; names when they are resolved, at delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused("only http and https URLs can be subscribed to")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("the URL must not hold credentials")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise Refused(str(exc)) from exc
    host = parts.hostname.lower()
    address = _literal(host)
    if address is not None:
        _check_address(host, address, allowed)
    elif _names(allowed) and host not in _names(allowed) and PUBLIC not in allowed:
        raise Refused(f"host {host!r} is not among the allowed webhook hosts")
    return host


def resolve(host: str, port: int, allowed: Sequence[str]) -> Target:
    """The address to connect to for `host`: every address it resolves to must be allowed."""
    address = _literal(host)
    if address is not None:
        _check_address(host, address, allowed)
        return Target(host, str(address))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Refused(f"cannot resolve {host!r}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"{host!r} resolves to no address")
    for address in addresses:
        _check_address(host, address, allowed)
    return Target(host, str(addresses[0]))


def _check_address(host: str, address: IPAddress, allowed: Sequence[str]) -> None:
    if host in _names(allowed):
        return
    if any(address in network for network in _networks(allowed)):
        return
    if PUBLIC in allowed and address.is_global and not address.is_multicast:
        return
    raise Refused(
        f"address {address} of {host!r} is not allowed (private, loopback, link-local or "
        "reserved, or not among the allowed webhook hosts)"
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _names(allowed: Sequence[str]) -> set[str]:
    return {entry.lower() for entry in allowed if entry != PUBLIC and _network(entry) is None}


def _networks(allowed: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [network for entry in allowed if (network := _network(entry)) is not None]


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None
