"""Host names and addresses: one normal form for comparing hosts, and the address guard
that keeps outbound requests away from private, loopback and other special networks."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def normalize_host(host_or_url: str) -> str:
    """`host` or `host:port` in one form: lowercase, IDNA (punycode), no trailing dot, no default
    port. Accepts a bare host (`Example.COM.`), a `host:port` or a full URL."""
    value = (host_or_url or "").strip()
    if "://" not in value:
        value = f"https://{value}"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return ""
    if ":" in host:  # an IPv6 literal
        host = f"[{ipaddress.ip_address(host.split('%')[0]).compressed}]"
    else:
        host = _idna(host)
    if port is None or port == DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ".".join(_idna_label(label) for label in host.split("."))


def _idna_label(label: str) -> str:
    if label.isascii():
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


def parse_networks(values: Iterable[str]) -> list[Network]:
    """CIDRs (or single addresses) from a setting such as ALLOWED_PRIVATE_ADDRESSES; invalid
    entries are skipped."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            continue
    return networks


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.version != 6:
        return None
    assert isinstance(address, ipaddress.IPv6Address)
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_special(address: IPAddress) -> bool:
    """True for anything that is not a public unicast address: private, loopback, link-local,
    multicast, reserved, unspecified, CGNAT, documentation, and IPv6 forms embedding those."""
    if address.is_multicast or address.is_unspecified or address.is_loopback:
        return True
    if address.is_link_local or address.is_reserved or address.is_private:
        return True
    if address.version == 4 and address in CGNAT:
        return True
    inner = embedded_ipv4(address)
    if inner is not None and is_special(inner):
        return True
    return not address.is_global


def is_allowed(address: IPAddress, allowed: list[Network]) -> bool:
    """Inside one of the configured private networks (checking the embedded IPv4 too)."""
    candidates = [address]
    inner = embedded_ipv4(address)
    if inner is not None:
        candidates.append(inner)
    return any(a in net for a in candidates for net in allowed if a.version == net.version)


def is_loopback(address: str) -> bool:
    """Whether `address` (text, as a request's peer) is this machine's loopback."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
