"""Where a webhook URL points: resolved once per use and refused when it reaches a forbidden address.

The delivery then connects to the address that was checked (the host name stays in `Host` and in TLS's
server name), so a name that resolves differently a moment later cannot redirect it.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from app.webhooks.rules import forbidden_address

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(Exception):
    """The URL resolves to nothing, or to an address deliveries may not reach."""


@dataclass(frozen=True, slots=True)
class Target:
    """A URL with the address to connect to: `connect_url` has the address in place of the host name."""

    url: str
    host: str
    connect_url: str
    address: str

    @property
    def host_header(self) -> str:
        """The `Host` header the URL implies (with its port when not the scheme's default)."""
        parts = urlsplit(self.url)
        if parts.port is None or parts.port == DEFAULT_PORTS.get(parts.scheme):
            return _bracketed(self.host)
        return f"{_bracketed(self.host)}:{parts.port}"


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


async def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host; every address it has must be allowed (one bad address is enough to
    refuse: the resolver could hand out that one next)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeTarget(f"the host {host!r} does not resolve ({error})") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeTarget(f"the host {host!r} does not resolve")
    if not allow_private:
        refused = [address for address in addresses if forbidden_address(address)]
        if refused:
            raise UnsafeTarget(
                f"the host {host!r} resolves to {refused[0]}, a loopback, private or link-local address "
                "(GATEWAY_WEBHOOKS_ALLOW_PRIVATE=1 allows those)"
            )
    address = addresses[0]
    netloc = _bracketed(address)
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    connect_url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(url=url, host=host, connect_url=connect_url, address=address)
