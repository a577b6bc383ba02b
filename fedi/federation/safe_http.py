"""Guarded outbound HTTP: one pooled httpx client that connects only where the guard allows.

Every URL is checked before use (`check_url`): http(s) only, every resolved address must be public
unless ALLOWED_PRIVATE_ADDRESSES covers it. The vetted addresses are pinned for the request: the
transport connects only to them (no DNS rebinding between check and connect) while the URL, Host
header and TLS SNI keep the real name. Each request has an overall deadline enforced on every
socket read and write (headers included), and its answer is capped in size. Redirects are not
followed here: `client` follows them by hand, each hop checked again."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx
from flask import current_app, has_app_context

from fedi import hosts
from fedi.config import Settings
from fedi.software import __version__

_pins: contextvars.ContextVar[dict[tuple[str, int], list[str]]] = contextvars.ContextVar("pins")
_deadline: contextvars.ContextVar[float] = contextvars.ContextVar("deadline", default=0.0)
# The end of the current `budget` (monotonic time): every request within it ends by then.
_budget_end: contextvars.ContextVar[float | None] = contextvars.ContextVar("budget", default=None)


class FetchError(Exception):
    """A remote resource could not be fetched or is not acceptable."""

    def __init__(self, message: str, status_code: int = 0) -> None:
        super().__init__(message)
        self.status_code = status_code


class UnsafeURL(FetchError):
    """The URL points somewhere we do not connect to (scheme, private address...)."""


@dataclass
class Response:
    url: str
    status_code: int
    headers: httpx.Headers
    body: bytes


# -- transport: pinned addresses, deadline on every socket operation -------------------------


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        timeout = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """The socket timeout, shortened to what is left of the request's overall deadline."""
    deadline = _deadline.get()
    if not deadline:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("Request deadline exceeded")
    return remaining if timeout is None else min(timeout, remaining)


class _PinnedBackend(httpcore.SyncBackend):
    """Connects only to the addresses `check_url` vetted for this request."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = _pins.get({}).get((host.strip("[]").lower(), port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not vetted")
        error: Exception | None = None
        for address in addresses:
            try:
                timeout = _bounded(timeout, httpcore.ConnectTimeout)
                stream = super().connect_tcp(address, port, timeout, local_address, socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError("no address")


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        ssl_context = httpx.create_ssl_context()  # one: each costs a read of the CA bundle
        super().__init__(retries=0, verify=ssl_context)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=200,
            max_keepalive_connections=50,
            keepalive_expiry=10.0,
            http1=True,
            http2=False,
            network_backend=_PinnedBackend(),
        )


TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)
_client = httpx.Client(
    transport=_PinnedTransport(), timeout=TIMEOUT, follow_redirects=False, trust_env=False
)


# -- the guard -------------------------------------------------------------------------------


def _settings() -> Settings:
    if has_app_context():
        return current_app.config["FEDI"]
    return Settings()


def check_url(url: str, settings: Settings | None = None) -> list[str]:
    """The vetted addresses for `url`, or UnsafeURL."""
    scheme, host, port = _target(url)
    return _vet(scheme, host, _resolve(host, port), settings or _settings())


async def check_url_async(url: str, settings: Settings) -> list[str]:
    """`check_url` for an event loop: the name is resolved without blocking the loop."""
    scheme, host, port = _target(url)
    try:
        addresses = [str(ipaddress.ip_address(host.strip("[]")))]  # a literal: nothing to resolve
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"Cannot resolve {host}") from exc
        addresses = _addresses(host, infos)
    return _vet(scheme, host, addresses, settings)


# A host that is only digits and dots, or a hex number: an IPv4 address, or an attempt to
# write one in a form (0177.0.0.1, 0x7f.1, 2130706433) that not every parser reads alike.
_NUMERIC_HOST = re.compile(r"[0-9.]+|0x[0-9a-fx.]*", re.IGNORECASE)


def _target(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port or hosts.DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError as exc:
        raise UnsafeURL(f"Invalid URL: {url}") from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        raise UnsafeURL(f"Only http and https URLs are fetched: {url}")
    if parts.username or parts.password:
        raise UnsafeURL("URLs with credentials are not fetched")
    if _NUMERIC_HOST.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:  # octal, hex or a bare number: resolvers disagree on what it means
            raise UnsafeURL(f"Invalid IPv4 address: {host}") from None
    return scheme, host, port


def _vet(scheme: str, host: str, addresses: list[str], settings: Settings) -> list[str]:
    allowed = hosts.parse_networks(settings.ALLOWED_PRIVATE_ADDRESSES)
    all_allowed = True
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if hosts.is_allowed(ip, allowed):
            continue
        all_allowed = False
        if hosts.is_special(ip):
            raise UnsafeURL(f"{host} resolves to a non-public address ({address})")
    if scheme == "http" and settings.LOCAL_HTTPS and not all_allowed:
        raise UnsafeURL(f"Plain http is not used for {host}")
    return addresses


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Cannot resolve {host}") from exc
    return _addresses(host, infos)


def _addresses(host: str, infos) -> list[str]:
    addresses = []
    for info in infos:
        address = str(info[4][0]).split("%")[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"Cannot resolve {host}")
    return addresses


def plain_http_allowed(domain: str) -> bool:
    """Tests and private deployments: http when LOCAL_HTTPS is off and every address of the
    host is inside ALLOWED_PRIVATE_ADDRESSES."""
    settings = _settings()
    if settings.LOCAL_HTTPS:
        return False
    allowed = hosts.parse_networks(settings.ALLOWED_PRIVATE_ADDRESSES)
    parts = urlsplit(f"http://{domain}/")
    addresses = _resolve((parts.hostname or "").rstrip("."), parts.port or 80)
    return all(hosts.is_allowed(ipaddress.ip_address(a), allowed) for a in addresses)


def user_agent() -> str:
    return f"Wren/{__version__} (+{_settings().base_url}/)"


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Every request made inside the block ends within `seconds` of its start, however many
    there are (a resolve that fetches a document, then its author, then its ancestors)."""
    end = time.monotonic() + seconds
    outer = _budget_end.get()
    token = _budget_end.set(end if outer is None else min(end, outer))
    try:
        yield
    finally:
        _budget_end.reset(token)


# -- one request, streamed under a deadline --------------------------------------------------


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    content: bytes | None = None,
    deadline: float,
    max_bytes: int,
    truncate: bool = False,
) -> Response:
    """One checked request (no redirects followed); FetchError on network failure, size or
    deadline. `deadline` is in seconds from now, for connect, send and the whole body.
    `truncate`: a longer answer is cut at `max_bytes` (its start is kept) instead of refused."""
    end = _budget_end.get()
    if end is not None:
        deadline = min(deadline, end - time.monotonic())
        if deadline <= 0:
            raise FetchError(f"Out of time before fetching {url}")
    addresses = check_url(url)
    try:
        parts = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeURL(f"Invalid URL: {url}") from exc
    host = parts.raw_host.decode("ascii").lower()
    pins = {(host, parts.port or hosts.DEFAULT_PORTS[parts.scheme]): addresses}
    pin_token, deadline_token = _pins.set(pins), _deadline.set(time.monotonic() + deadline)
    headers = {"User-Agent": user_agent(), "Accept-Encoding": "identity", **headers}
    try:
        with _client.stream(method, url, headers=headers, content=content) as resp:
            body = _read_capped(resp, max_bytes, truncate=truncate)
            return Response(str(resp.url), resp.status_code, resp.headers, body)
    except httpx.TimeoutException as exc:
        raise FetchError(f"Timed out: {url}") from exc
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise FetchError(f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        _pins.reset(pin_token)
        _deadline.reset(deadline_token)


def _read_capped(resp: httpx.Response, max_bytes: int, *, truncate: bool = False) -> bytes:
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes and not truncate:
        raise FetchError(f"Response too large ({length} bytes)")
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            if truncate:  # the rest is never read: the connection is closed, not reused
                chunks.append(chunk[: len(chunk) - (size - max_bytes)])
                break
            raise FetchError(f"Response larger than {max_bytes} bytes")
        if time.monotonic() > _deadline.get():
            raise FetchError("Request deadline exceeded")
        chunks.append(chunk)
    return b"".join(chunks)
