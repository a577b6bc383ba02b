"""Lean HTTP/1.1 POSTs on asyncio for the delivery sender, under a hard overall deadline.

The same guard as `safe_http.request` (the URL vetted by `safe_http.check_url_async`, the
connection made only to the vetted addresses, the answer capped) at a fraction of httpx's cost:
an async httpx POST costs about 2.5 ms of CPU, more than signing it, and a fan-out to a thousand
servers is a thousand POSTs. HTTP is parsed by h11 (what httpx uses underneath). Connections are
kept alive per origin (a few, briefly) for the next activity to the same shared inbox; a kept
connection that turns out closed is replaced once.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from urllib.parse import urlsplit

import h11

from fedi import hosts
from fedi.config import Settings
from fedi.federation import client, safe_http

KEEP_PER_ORIGIN = 4
KEEP_FOR = 10.0  # seconds an idle connection is kept
READ_CHUNK = 65536

Origin = tuple[str, str, int]  # scheme, host, port


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0
        self.reused = False

    def close(self) -> None:
        self.writer.close()


class Poster:
    """POSTs from one event loop, with its kept-alive connections."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tls = ssl.create_default_context()
        self.idle: dict[Origin, list[_Connection]] = {}

    async def post(
        self, url: str, headers: dict[str, str], body: bytes, *, deadline: float
    ) -> client.PostResult:
        """A signed POST (headers from `client.sign_post`); never raises for HTTP or network
        errors. Resolving, connecting, sending and reading all end with the deadline."""
        try:
            async with asyncio.timeout(deadline):
                return await self._post(url, headers, body)
        except TimeoutError:
            return client.PostResult(0, error=f"Deadline of {deadline:g} s exceeded: {url}")
        except safe_http.FetchError as exc:
            return client.PostResult(0, error=str(exc))
        except (OSError, h11.ProtocolError, ssl.SSLError, EOFError) as exc:
            return client.PostResult(0, error=f"{exc.__class__.__name__}: {exc}"[:500])

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> client.PostResult:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
        origin = (scheme, host, parts.port or hosts.DEFAULT_PORTS.get(scheme, 0))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = h11.Request(
            method="POST", target=target,
            headers=[*headers.items(), ("Content-Length", str(len(body)))],
        )  # fmt: skip
        conn = self._kept(origin)
        if conn is not None:
            try:
                return await self._exchange(conn, origin, request, body)
            except (OSError, h11.ProtocolError, EOFError):
                conn.close()  # closed by the server while idle: once more on a new one
        addresses = await safe_http.check_url_async(url, self.settings)
        conn = await self._connect(origin, addresses)
        return await self._exchange(conn, origin, request, body)

    async def _connect(self, origin: Origin, addresses: list[str]) -> _Connection:
        scheme, host, port = origin
        error: Exception | None = None
        for address in addresses:
            try:
                reader, writer = await asyncio.open_connection(
                    address, port, ssl=self.tls if scheme == "https" else None,
                    server_hostname=host if scheme == "https" else None, limit=READ_CHUNK,
                )  # fmt: skip
                return _Connection(reader, writer)
            except OSError as exc:
                error = exc
        raise error or OSError(f"Cannot connect to {host}:{port}")

    async def _exchange(
        self, conn: _Connection, origin: Origin, request: h11.Request, body: bytes
    ) -> client.PostResult:
        try:
            conn.writer.write(conn.h11.send(request) + conn.h11.send(h11.Data(data=body)))
            conn.writer.write(conn.h11.send(h11.EndOfMessage()))
            await conn.writer.drain()
            response, answer = await self._read(conn)
        except BaseException:
            conn.close()
            raise
        self._keep(conn, origin)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                   for name, value in response.headers}  # fmt: skip
        return client.post_result(response.status_code, headers, answer)

    async def _read(self, conn: _Connection) -> tuple[h11.Response, bytes]:
        response, chunks, size = None, [], 0
        while True:
            event = conn.h11.next_event()
            if event is h11.NEED_DATA:
                data = await conn.reader.read(READ_CHUNK)
                if not data and conn.reused and response is None:
                    raise EOFError("kept connection closed")
                conn.h11.receive_data(data)
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > client.ERROR_TEXT_CAP:
                    raise safe_http.FetchError(
                        f"Response larger than {client.ERROR_TEXT_CAP} bytes"
                    )
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                assert response is not None
                return response, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise EOFError("connection closed before the answer was complete")

    def _keep(self, conn: _Connection, origin: Origin) -> None:
        kept = self.idle.setdefault(origin, [])
        reusable = conn.h11.our_state is h11.DONE and conn.h11.their_state is h11.DONE
        if not reusable or len(kept) >= KEEP_PER_ORIGIN:
            conn.close()
            return
        conn.h11.start_next_cycle()
        conn.idle_since, conn.reused = time.monotonic(), True
        kept.append(conn)

    def _kept(self, origin: Origin) -> _Connection | None:
        kept = self.idle.get(origin)
        while kept:
            conn = kept.pop()
            if time.monotonic() - conn.idle_since < KEEP_FOR and not conn.reader.at_eof():
                return conn
            conn.close()
        return None

    def close_idle(self) -> None:
        """Close connections idle for longer than KEEP_FOR."""
        now = time.monotonic()
        for origin, kept in list(self.idle.items()):
            for conn in [c for c in kept if now - c.idle_since >= KEEP_FOR]:
                kept.remove(conn)
                conn.close()
            if not kept:
                del self.idle[origin]
