"""Where webhooks may go: only http(s), and only to the hosts the `webhook_allowed_hosts`
setting allows, so the service cannot be used to probe the network it runs in. A host
written as an address (in any form a resolver accepts) is checked when the subscription is
made; a name's resolved addresses at every delivery, and the delivery connects to the very
address that was checked (no second lookup to rebind)."""

import ipaddress
import re
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
    except OSError:
        infos = []
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses or not all(_allowed(host, address, allowed) for address in addresses):
        # One answer whether the name is unknown or leads somewhere not allowed, and never the
        # address itself: the deliveries list must not tell how inside names resolve.
        raise Refused(
            f"host {host!r} does not resolve to addresses that webhooks may go to (public "
            "ones, or those among the allowed webhook hosts)"
        )
    return Target(host, str(addresses[0]))


def _allowed(host: str, address: IPAddress, allowed: Sequence[str]) -> bool:
    return (
        host in _names(allowed)
        or any(address in network for network in _networks(allowed))
        or (PUBLIC in allowed and address.is_global and not address.is_multicast)
    )


def _check_address(host: str, address: IPAddress, allowed: Sequence[str]) -> None:
    if not _allowed(host, address, allowed):
        raise Refused(
            f"address {address} is not allowed (private, loopback, link-local or reserved, or "
            "not among the allowed webhook hosts)"
        )


def _literal(host: str) -> IPAddress | None:
    """The address a host written as one stands for, in any form a resolver reads as one:
    also IPv4's legacy forms (`167772161`, `0x0a000001`, `10.1`, `012.0.0.1`), which name an
    address without looking like one."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
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
