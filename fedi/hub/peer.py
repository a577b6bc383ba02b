"""One open stream's socket, served by the hub's event loop thread: reads (the client's messages),
buffered writes, keepalives and closing. Its work (the session's methods) runs on the hub's
workers through its `Jobs`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from wsproto.frame_protocol import CloseReason

from fedi.hub.framing import Closed, EventStreamFraming, WebSocketFraming
from fedi.hub.session import Jobs, Session

if TYPE_CHECKING:
    from fedi.hub.dispatch import Hub

Framing = WebSocketFraming | EventStreamFraming

MAX_BUFFERED_BYTES = 4 * 1024 * 1024  # unsent output of a client that stopped reading

log = logging.getLogger(__name__)


class PeerChannels:
    """The bus channels one stream listens on, shaped as a bus subscription (add/remove/close),
    so fedi.hub.streams.Connection works the same over the hub."""

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
        self.channels = PeerChannels(hub, self)
        self.jobs = Jobs(hub.executor, context, self.close)
        self.transport: asyncio.Transport | None = None
        self._early: list[str] = []  # text sent before the socket was attached
        self._finished = False

    # --- from any thread ---

    def start(self) -> None:
        self.jobs.submit(self.session.opened)

    def send(self, text: str) -> None:
        self.hub.loop.call_soon_threadsafe(self._write_text, text)

    def close(self, code: int = CloseReason.NORMAL_CLOSURE, reason: str = "") -> None:
        self.hub.loop.call_soon_threadsafe(self._close, code, reason)

    def abandon(self) -> None:
        """The socket never came (the handoff failed): release what the session holds."""
        self._end()

    # --- hub workers ---

    def _last(self) -> None:
        try:
            self.session.closed()
        finally:
            self.channels.close()

    def _end(self) -> None:
        self.jobs.submit(self._last, last=True)

    # --- the event loop thread ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        early, self._early = self._early, []
        for text in early:
            self._write_text(text)
        self._every(self.framing.keepalive_interval, self._keepalive)
        if self.session.tick_seconds:
            self._every(self.session.tick_seconds, lambda: self.jobs.submit(self.session.tick))

    def data_received(self, data: bytes) -> None:
        try:
            messages, answer = self.framing.received(data)
        except Closed as closed:
            self._finish(closed.goodbye)
            return
        self._write(answer)
        for text in messages:
            self.jobs.submit(partial(self.session.message, text))

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
            if not self.jobs.over:
                self.hub.loop.call_later(0.05, self._close, code, reason)
            return
        self._finish(self.framing.closing(code, reason))

    def _finish(self, goodbye: bytes) -> None:
        if self.transport is None or self._finished:
            return
        self._write(goodbye)
        self._finished = True
        self.transport.close()  # after the buffer is flushed; connection_lost follows
