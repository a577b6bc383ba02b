"""The hub of one process: its threads (the event loop, the bus dispatcher, the workers), which
streams listen on which bus channels, and each bus event handed to the streams listening on its
channel."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from flask import Flask, current_app

from fedi.hub.peer import Framing, Peer
from fedi.hub.session import Session

THREADS = 4  # rendering work for every stream of the process
BUS_POLL_SECONDS = 0.1  # the dispatcher's wait for the next bus event

log = logging.getLogger(__name__)


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
                peer.jobs.submit(partial(peer.session.event, channel, event, shared))


def init_app(app: Flask) -> None:
    app.extensions["fedi.hub"] = Hub(app)


def current_hub() -> Hub:
    return current_app.extensions["fedi.hub"]
