"""Open streams, served off the request threads.

A streaming request (WebSocket or Server-Sent Events) is authenticated and answered by a request
thread like any other; then its socket is handed to this process's hub and the thread goes back to
serving requests. So the number of open streams is not bounded by the web server's threads, and
idle streams cost no thread, only a socket and a little memory.

The hub has
- one event loop thread owning every stream's socket (reads, buffered writes, pings, heartbeats);
- one bus subscription for the whole process, read by a dispatcher thread: each event goes to the
  streams listening on its channel (channels are reference-counted across streams);
- a few worker threads running each stream's work (subscribing, rendering an event for its
  viewer: database queries) in an app context, one job at a time per stream and in order.

A session (the API's streams, the web UI's live timeline) implements `Session`; it sends text with
`peer.send()` and ends the stream with `peer.close()`, from any thread.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from flask import Flask, Response, current_app
from wsproto.frame_protocol import CloseReason

from fedi.events.bus import Event
from fedi.extensions import db
from fedi.streaming.framing import Closed, EventStreamFraming, WebSocketFraming

Framing = WebSocketFraming | EventStreamFraming

THREADS = 4  # rendering work for every stream of the process
MAX_PENDING_JOBS = 1_000  # a stream this far behind is closed (its client reconnects)
MAX_BUFFERED_BYTES = 4 * 1024 * 1024  # unsent output of a client that stopped reading
JOBS_PER_TURN = 20
BUS_POLL_SECONDS = 0.1  # the dispatcher's wait for the next bus event

log = logging.getLogger(__name__)


class Session:
    """What a stream does; a subclass overrides what it needs (each method does nothing here).
    Every method runs on a hub worker, in order, inside the peer's context."""

    tick_seconds: float | None = None  # call `tick()` this often (None: never)

    def opened(self) -> None:
        """First, once the stream exists."""

    def message(self, text: str) -> None:
        """A text message from the client."""

    def event(self, channel: str, event: Event, shared: dict[Any, Any]) -> None:
        """A bus event on one of the peer's channels. `shared`: one dict for every stream of the
        process getting this same event, to keep work done once for all of them
        (fedi.streaming.render)."""

    def tick(self) -> None:
        """Every `tick_seconds`."""

    def closed(self) -> None:
        """Last, once the connection is gone."""


class Hub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._start_lock = threading.Lock()
        self._started = False
        self._lock = threading.Lock()  # guards _listeners (read by the dispatcher)
        self._membership = threading.Lock()  # orders changes to the bus subscription
        self._listeners: dict[str, set[Peer]] = {}
        self._wake = threading.Event()
        self.loop: asyncio.AbstractEventLoop
        self.executor: ThreadPoolExecutor
        self._subscription: Any = None

    def peer(
        self,
        make_session: Callable[[Peer], Session],
        framing: Framing,
        context: Callable[[], Any] | None = None,
    ) -> Peer:
        """A stream served by the session `make_session(peer)` makes. It may listen on channels
        at once; it serves its socket once `attach()` gets it (output sent before then waits)."""
        self._start()
        peer = Peer(self, framing, context or self.app.app_context)
        peer.session = make_session(peer)
        return peer

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, name="stream-loop", daemon=True).start()
            self.executor = ThreadPoolExecutor(THREADS, thread_name_prefix="stream")
            self._subscription = self.app.extensions["fedi.bus"].subscribe(())
            threading.Thread(target=self._dispatch, name="stream-bus", daemon=True).start()
            self._started = True

    def attach(self, peer: Peer, sock: socket.socket) -> None:
        sock.setblocking(False)
        attached = asyncio.run_coroutine_threadsafe(
            self.loop.connect_accepted_socket(lambda: peer, sock), self.loop
        )

        def check(future) -> None:
            if future.cancelled() or future.exception() is not None:
                sock.close()
                peer.abandon()

        attached.add_done_callback(check)

    # --- channels ---

    def listen(self, peer: Peer, channels: Iterable[str]) -> None:
        channels = list(channels)
        with self._membership:
            with self._lock:
                new = [c for c in channels if c not in self._listeners]
                for channel in channels:
                    self._listeners.setdefault(channel, set()).add(peer)
            if new:
                self._subscription.add(new)
                self._wake.set()

    def unlisten(self, peer: Peer, channels: Iterable[str]) -> None:
        channels = list(channels)
        with self._membership:
            with self._lock:
                gone = []
                for channel in channels:
                    peers = self._listeners.get(channel)
                    if peers is not None:
                        peers.discard(peer)
                        if not peers:
                            del self._listeners[channel]
                            gone.append(channel)
            if gone:
                self._subscription.remove(gone)

    def _dispatch(self) -> None:
        while True:
            if not self._listeners:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                item = self._subscription.get(timeout=BUS_POLL_SECONDS)
            except Exception:  # the bus is down: events are lost until it is back
                log.exception("streaming: reading the event bus failed")
                self._wake.wait(1.0)
                continue
            if item is None:
                continue
            channel, event = item
            with self._lock:
                peers = list(self._listeners.get(channel, ()))
            shared: dict[Any, Any] = {}
            for peer in peers:
                peer.submit(partial(peer.session.event, channel, event, shared))


class PeerChannels:
    """The bus channels one stream listens on, shaped as a bus subscription (add/remove/close),
    so fedi.streaming.streams.Connection works the same over the hub."""

    def __init__(self, hub: Hub, peer: Peer) -> None:
        self.hub, self.peer = hub, peer
        self.channels: set[str] = set()
        self.closed = False

    def add(self, channels: Iterable[str]) -> None:
        new = set(channels) - self.channels
        if new and not self.closed:
            self.channels |= new
            self.hub.listen(self.peer, new)

    def remove(self, channels: Iterable[str]) -> None:
        gone = set(channels) & self.channels
        if gone:
            self.channels -= gone
            self.hub.unlisten(self.peer, gone)

    def close(self) -> None:
        self.closed = True
        self.remove(list(self.channels))


class Peer(asyncio.Protocol):
    """One open stream: its socket (event loop thread) and its queue of jobs (hub workers)."""

    session: Session

    def __init__(self, hub: Hub, framing: Framing, context: Callable[[], Any]) -> None:
        self.hub = hub
        self.framing = framing
        self.context = context
        self.channels = PeerChannels(hub, self)
        self.transport: asyncio.Transport | None = None
        self._lock = threading.Lock()
        self._jobs: deque[Callable[[], None]] = deque()
        self._running = False
        self._over = False  # no more jobs but the last
        self._early: list[str] = []  # text sent before the socket was attached
        self._finished = False

    # --- from any thread ---

    def start(self) -> None:
        self.submit(self.session.opened)

    def send(self, text: str) -> None:
        self.hub.loop.call_soon_threadsafe(self._write_text, text)

    def close(self, code: int = CloseReason.NORMAL_CLOSURE, reason: str = "") -> None:
        self.hub.loop.call_soon_threadsafe(self._close, code, reason)

    def abandon(self) -> None:
        """The socket never came (the handoff failed): release what the session holds."""
        self._end()

    def submit(self, job: Callable[[], None], *, last: bool = False) -> None:
        with self._lock:
            if self._over:
                return
            if last:
                self._over = True
            elif len(self._jobs) >= MAX_PENDING_JOBS:
                log.warning("streaming: a client fell %d events behind; closing", len(self._jobs))
                self.close(CloseReason.TRY_AGAIN_LATER, "Too far behind")
                return
            self._jobs.append(job)
            if self._running:
                return
            self._running = True
        self.hub.executor.submit(self._drain)

    # --- hub workers ---

    def _drain(self) -> None:
        for _ in range(JOBS_PER_TURN):
            with self._lock:
                if not self._jobs:
                    self._running = False
                    return
                job = self._jobs.popleft()
            self._run(job)
        self.hub.executor.submit(self._drain)  # still running: other streams get a turn first

    def _run(self, job: Callable[[], None]) -> None:
        try:
            with self.context():
                try:
                    job()
                finally:
                    db.session.remove()
        except Exception:
            log.exception("streaming: a stream's work failed")
            self.close(CloseReason.INTERNAL_ERROR, "Internal error")

    def _last(self) -> None:
        try:
            self.session.closed()
        finally:
            self.channels.close()

    def _end(self) -> None:
        self.submit(self._last, last=True)

    # --- the event loop thread ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        early, self._early = self._early, []
        for text in early:
            self._write_text(text)
        self._every(self.framing.keepalive_interval, self._keepalive)
        if self.session.tick_seconds:
            self._every(self.session.tick_seconds, lambda: self.submit(self.session.tick))

    def data_received(self, data: bytes) -> None:
        try:
            messages, answer = self.framing.received(data)
        except Closed as closed:
            self._finish(closed.goodbye)
            return
        self._write(answer)
        for text in messages:
            self.submit(partial(self.session.message, text))

    def eof_received(self) -> bool:
        return False  # the client is gone: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._finished = True  # pending timers find it and stop
        self._end()

    def _every(self, seconds: float, action: Callable[[], None]) -> None:
        def run() -> None:
            if not self._finished:
                action()
                self.hub.loop.call_later(seconds, run)

        self.hub.loop.call_later(seconds, run)

    def _keepalive(self) -> None:
        try:
            self._write(self.framing.keepalive())
        except Closed as closed:
            self._finish(closed.goodbye)

    def _write_text(self, text: str) -> None:
        if self.transport is None:
            self._early.append(text)
        elif not self._finished:
            self._write(self.framing.frame(text))

    def _write(self, data: bytes) -> None:
        if not data or self.transport is None or self._finished:
            return
        self.transport.write(data)
        if self.transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
            log.warning("streaming: a client stopped reading; dropping it")
            self._finished = True
            self.transport.abort()

    def _close(self, code: int, reason: str) -> None:
        if self.transport is None:  # not attached yet: close once it is (unless it never will)
            if not self._over:
                self.hub.loop.call_later(0.05, self._close, code, reason)
            return
        self._finish(self.framing.closing(code, reason))

    def _finish(self, goodbye: bytes) -> None:
        if self.transport is None or self._finished:
            return
        self._write(goodbye)
        self._finished = True
        self.transport.close()  # after the buffer is flushed; connection_lost follows


# --- taking the connection from the web server ----------------------------------------------


class Handoff(Response):
    """The response that turns the request's connection into a stream: `head` builds the first
    bytes (the 101 handshake, or an event-stream head from this response's own status and
    headers, so after-request hooks still apply), which are written before the socket goes to
    the hub. The web server then lets go of the connection without answering on it."""

    def __init__(self, peer: Peer, head: Callable[[Response], bytes]) -> None:
        super().__init__()
        self.peer = peer
        self.head = head

    def __call__(self, environ: Mapping[str, Any], start_response):  # type: ignore[override]
        sock = _take_socket(environ)
        if sock is None:
            self.peer.abandon()
            refusal = Response("Streaming needs a plain HTTP connection", 501)
            return refusal(environ, start_response)  # type: ignore[arg-type]
        try:
            sock.sendall(self.head(self))
        except OSError:
            sock.close()
            self.peer.abandon()
        else:
            self.peer.hub.attach(self.peer, sock)
            self.peer.start()
        if "gunicorn.socket" in environ:
            raise StopIteration()  # gunicorn: close the connection, write nothing
        start_response("101 Switching Protocols", [])  # werkzeug's writes fail quietly
        return []


def _take_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    """This request's socket, as a descriptor of our own. The server keeps its descriptor, but
    it now points at a closed socket pair: whatever it does next (write, shut down, drain,
    close) touches nothing of the client's connection."""
    server_sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if not isinstance(server_sock, socket.socket) or isinstance(server_sock, ssl.SSLSocket):
        return None
    try:
        stand_in, other = socket.socketpair()
    except OSError as err:
        log.warning("streaming: no socket pair (%s)", errno.errorcode.get(err.errno or 0))
        return None
    with stand_in, other:
        ours = server_sock.dup()
        os.dup2(stand_in.fileno(), server_sock.fileno())
    ours.setblocking(True)
    return ours


def init_app(app: Flask) -> None:
    app.extensions["fedi.hub"] = Hub(app)


def current_hub() -> Hub:
    return current_app.extensions["fedi.hub"]
