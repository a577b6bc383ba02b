"""Real connections for the streaming tests: the session app served by werkzeug in a thread, a
WebSocket client (simple-websocket, flask-sock's own) and a Server-Sent Events reader (httpx).

Every wait is bounded; clients are closed after each test, and the test waits (bounded) until the
server has closed every stream, so no connection outlives the test that opened it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from flask import Flask
from simple_websocket import Client
from werkzeug.serving import make_server

from fedi.hub import streams
from fedi.streaming import sse

FRAME_TIMEOUT = 5.0  # a bound for every wait (test_websocket checks the 2 s latency itself)
SYNC_STREAM = "sync.marker"  # an unknown stream: its error frame proves the server read everything


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """host:port of a threaded werkzeug server running the session app."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _streams_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Frequent SSE heartbeats: the reader's deadlines are checked on each, and the server
    # notices a closed client at its next write.
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 0.2)
    yield
    deadline = time.monotonic() + 10
    while streams.open_connections() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert streams.open_connections() == 0, "a stream stayed open after its client left"


class _Client(Client):
    """simple-websocket's client, minus a race: a frame that arrives in the same read as the
    handshake response would wait, unparsed, until the next bytes came in."""

    def handshake(self) -> None:
        super().handshake()
        self.connected = self._handle_events()  # the reader thread starts after this


class WebSocket:
    """A WebSocket client to /api/v1/streaming with bounded waits."""

    def __init__(self, base: str, query: str = "", **kwargs: Any) -> None:
        self.ws = _Client.connect(f"ws://{base}/api/v1/streaming{query}", **kwargs)

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps(message))

    def next(self, timeout: float = FRAME_TIMEOUT) -> dict[str, Any]:
        data = self.ws.receive(timeout=timeout)
        assert data is not None, f"no frame within {timeout} s"
        return json.loads(data)

    def sync(self, answer: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Wait until the server has handled every message sent so far (messages are handled in
        order, and subscribing to an unknown stream answers an error frame); the frames that
        arrived meanwhile."""
        answer = answer or {"error": "Unknown stream type", "status": 400}
        self.send(type="subscribe", stream=SYNC_STREAM)
        frames = []
        while (frame := self.next()) != answer:
            frames.append(frame)
        return frames

    def quiet(self, seconds: float = 0.3) -> None:
        data = self.ws.receive(timeout=seconds)
        assert data is None, f"unexpected frame: {data}"

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already closed by the server
            self.ws.close()


@pytest.fixture
def websocket(live_server: str) -> Iterator[Callable[..., WebSocket]]:
    opened: list[WebSocket] = []

    def connect(query: str = "", **kwargs: Any) -> WebSocket:
        client = WebSocket(live_server, query, **kwargs)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


class EventStream:
    """An SSE response read with httpx in the test's thread. Heartbeats arrive every 0.2 s, so a
    deadline is checked at least that often."""

    def __init__(self, base: str, path: str, headers: dict[str, str] | None = None) -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(10.0, read=5.0))
        request = self.client.build_request("GET", f"http://{base}{path}", headers=headers)
        self.response = self.client.send(request, stream=True)
        self.chunks = self.response.iter_raw()
        self.text = ""  # everything received so far
        self.consumed = 0  # events already returned by next()

    def read_until(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"no {what} within {timeout} s:\n{self.text}"
            self.text += next(self.chunks).decode()

    def events(self) -> list[tuple[str, str]]:
        """(event, data) pairs, parsed as an EventSource would (comments skipped)."""
        found, event, data = [], None, None
        complete = self.text[: self.text.rfind("\n\n") + 2] if "\n\n" in self.text else ""
        for line in complete.split("\n"):
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                data = line[len("data: ") :]
            elif line == "" and event is not None:
                found.append((event, data or ""))
                event, data = None, None
        return found

    def next(self, timeout: float = FRAME_TIMEOUT) -> tuple[str, str]:
        self.read_until(lambda: len(self.events()) > self.consumed, timeout, "event")
        self.consumed += 1
        return self.events()[self.consumed - 1]

    def quiet(self, seconds: float = 0.5) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.text += next(self.chunks).decode()
        assert len(self.events()) == self.consumed, f"unexpected event in:\n{self.text}"

    def close(self) -> None:
        self.response.close()
        self.client.close()


@pytest.fixture
def event_stream(live_server: str) -> Iterator[Callable[..., EventStream]]:
    opened: list[EventStream] = []

    def connect(path: str, token: str | None = None) -> EventStream:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        stream = EventStream(live_server, path, headers)
        opened.append(stream)
        return stream

    yield connect
    for stream in opened:
        stream.close()
