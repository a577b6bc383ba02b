"""A farm of remote inboxes for bench/federation.py: one loopback HTTP server per port, in a child
process (asyncio), each behaving as a healthy or a misbehaving ActivityPub server.

Kinds: `ok` verifies the HTTP signature and answers 202 (and records when a valid signed
activity arrived); `error` answers 500; `throttle` answers 429 with `Retry-After: 120`; `drip`
sends its answer one byte a second (never done within a 30 s deadline); `silent` reads the
request and never answers; `refuse` has no listener (connection refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import time
from dataclasses import dataclass

import orjson

BAD_KINDS = ("refuse", "error", "throttle", "drip", "silent")


@dataclass(frozen=True)
class Receipt:
    port: int
    kind: str
    type: str
    object_id: str
    at: float  # time.time() when the whole request was read
    valid: bool


def kinds_for(count: int, bad_share: float) -> list[str]:
    """`count` kinds: a `bad_share` of them misbehave, spread evenly, cycling through BAD_KINDS."""
    bad = round(count * bad_share)
    step = count / bad if bad else 0
    bad_at = {int(i * step + step / 2) for i in range(bad)}
    kinds, n = [], 0
    for i in range(count):
        if i in bad_at:
            kinds.append(BAD_KINDS[n % len(BAD_KINDS)])
            n += 1
        else:
            kinds.append("ok")
    return kinds


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Farm:
    def __init__(self, kinds: list[str], public_key_pem: str, key_id: str) -> None:
        self.kinds, self.pem, self.key_id = kinds, public_key_pem, key_id
        self.receipts: list[Receipt] = []
        self.hits: dict[str, int] = {}
        self.ports: list[int] = []

    async def start(self) -> None:
        for kind in self.kinds:
            if kind == "refuse":
                self.ports.append(_closed_port())
                continue
            server = await asyncio.start_server(
                lambda r, w, kind=kind: self.serve(r, w, kind), "127.0.0.1", 0, backlog=64
            )
            self.ports.append(server.sockets[0].getsockname()[1])

    async def serve(self, reader, writer, kind: str) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.hits[kind] = self.hits.get(kind, 0) + 1
                if not await self.answer(request, reader, writer, kind, port):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    async def answer(self, request, reader, writer, kind: str, port: int) -> bool:
        path, headers, body, at = request
        if kind == "ok":
            self.receipts.append(self.receipt(port, path, headers, body, at))
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        elif kind == "error":
            writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom")
        elif kind == "throttle":
            writer.write(
                b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n"
            )
        elif kind == "drip":
            for byte in b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n":
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(1.0)
        else:  # silent: wait for the client to give up
            await reader.read()
            return False
        await writer.drain()
        return True

    def receipt(self, port: int, path: str, headers: dict, body: bytes, at: float) -> Receipt:
        from fedi.federation import signatures

        try:
            key_id = signatures.verify_request(
                method="POST",
                path=path,
                headers=headers,
                body=body,
                get_public_key=lambda key_id, refresh: self.pem,
            )
            valid = key_id == self.key_id
        except signatures.SignatureError:
            valid = False
        try:
            doc = orjson.loads(body)
            obj = doc.get("object")
            object_id = obj.get("id", "") if isinstance(obj, dict) else str(obj or "")
            return Receipt(port, "ok", str(doc.get("type")), object_id, at, valid)
        except (orjson.JSONDecodeError, AttributeError):
            return Receipt(port, "ok", "", "", at, False)


async def _read_request(reader) -> tuple[str, dict, bytes, float] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length") or 0))
    return path, headers, body, time.time()


def _run(conn, kinds: list[str], pem: str, key_id: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def main() -> None:
        farm = _Farm(kinds, pem, key_id)
        await farm.start()
        conn.send(farm.ports)
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command == "receipts":
                conn.send(([tuple(r.__dict__.values()) for r in farm.receipts], farm.hits))
            elif command == "stop":
                os._exit(0)  # no teardown: the silent and dripping connections just drop

    asyncio.run(main())
    os._exit(0)


class Farm:
    """The parent's handle on the farm process."""

    def __init__(self, kinds: list[str], public_key_pem: str, key_id: str) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_run, args=(child, kinds, public_key_pem, key_id))
        self.proc.start()
        self.kinds = kinds
        self.ports: list[int] = self.conn.recv()

    def receipts(self) -> tuple[list[Receipt], dict[str, int]]:
        self.conn.send("receipts")
        rows, hits = self.conn.recv()
        return [Receipt(*row) for row in rows], hits

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send("stop")
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
