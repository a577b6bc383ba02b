"""Who is asking: the client's address, as the reverse proxies we trust report it.

The peer's address is the client's, unless the peer is a trusted proxy (TRUSTED_PROXIES:
loopback by default): then the client is the last address in X-Forwarded-For that is not a
trusted proxy itself. Anyone else's X-Forwarded-For is ignored, so a client cannot choose the
address it is counted under.
"""

from __future__ import annotations

import functools
import ipaddress

from flask import current_app, request

from fedi import hosts


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[hosts.Network, ...]:
    return tuple(hosts.parse_networks(cidrs))


def _trusted(address: str, networks: tuple[hosts.Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip() -> str:
    address = request.remote_addr or ""
    networks = _networks(tuple(current_app.config["FEDI"].TRUSTED_PROXIES))
    if not _trusted(address, networks):
        return address
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [a for a in forwarded if a]
    for candidate in reversed(forwarded):
        if not _trusted(candidate, networks):
            return candidate
    return forwarded[0] if forwarded else address
