"""Who is asking: the client's address, through the reverse proxies we trust."""

from __future__ import annotations

import ipaddress

from flask import request

TRUSTED_PROXIES = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in TRUSTED_PROXIES)


def client_ip() -> str:
    address = request.remote_addr or ""
    if not _trusted(address):
        return address
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [a for a in forwarded if a]
    for candidate in reversed(forwarded):
        if not _trusted(candidate):
            return candidate
    return forwarded[0] if forwarded else address
