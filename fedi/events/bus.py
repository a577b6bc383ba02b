"""The event bus: `publish(channel, event)` / `subscribe(channels)`.

In-memory on the embedded default (one process), Redis pub/sub when REDIS_URL is set (any number
of web and worker processes). Events are small JSON dicts naming what changed (e.g.
`{"event": "update", "status_id": "123"}`); subscribers render them for their own viewer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any, Protocol

import orjson
from flask import Flask, current_app

log = logging.getLogger(__name__)
Event = dict[str, Any]


class Subscription(Protocol):
    def get(self, timeout: float | None = None) -> tuple[str, Event] | None:
        """The next (channel, event), or None when `timeout` passes first."""

    def add(self, channels: Iterable[str]) -> None: ...

    def remove(self, channels: Iterable[str]) -> None: ...

    def close(self) -> None: ...


class MemoryBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[_MemorySubscription]] = defaultdict(set)

    def publish(self, channel: str, event: Event) -> None:
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for sub in targets:
            sub.queue.put((channel, event))

    def subscribe(self, channels: Iterable[str]) -> _MemorySubscription:
        sub = _MemorySubscription(self)
        sub.add(channels)
        return sub

    def _attach(self, sub: _MemorySubscription, channels: Iterable[str]) -> None:
        with self._lock:
            for channel in channels:
                self._subs[channel].add(sub)

    def _detach(self, sub: _MemorySubscription, channels: Iterable[str]) -> None:
        with self._lock:
            for channel in channels:
                subs = self._subs.get(channel)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[channel]


class _MemorySubscription:
    def __init__(self, bus: MemoryBus) -> None:
        self.bus = bus
        self.channels: set[str] = set()
        self.queue: queue.Queue[tuple[str, Event]] = queue.Queue(maxsize=10_000)

    def get(self, timeout: float | None = None) -> tuple[str, Event] | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def add(self, channels: Iterable[str]) -> None:
        channels = set(channels) - self.channels
        self.channels |= channels
        self.bus._attach(self, channels)

    def remove(self, channels: Iterable[str]) -> None:
        channels = set(channels) & self.channels
        self.channels -= channels
        self.bus._detach(self, channels)

    def close(self) -> None:
        self.remove(list(self.channels))


class RedisBus:
    def __init__(self, url: str, namespace: str = "") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        # Pub/sub ignores the database number: the prefix keeps instances sharing a server apart.
        db_number = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"wren:{db_number}:{namespace}:"

    def publish(self, channel: str, event: Event) -> None:
        self.client.publish(self.prefix + channel, orjson.dumps(event))

    def subscribe(self, channels: Iterable[str]) -> _RedisSubscription:
        sub = _RedisSubscription(self.client.pubsub(), self.prefix)
        sub.add(channels)
        return sub


class _RedisSubscription:
    """A Redis pub/sub connection. `add` returns once Redis confirms the subscription, so an event
    published right after it is received; events of removed channels are dropped.

    One thread reads at a time (`get`, the streaming hub's dispatcher); other threads may add and
    remove channels meanwhile without waiting for it: the reader passes confirmations on, and
    `add` reads them itself when nobody is reading."""

    CONFIRM_TIMEOUT = 5.0
    CONFIRM_POLL = 0.05

    def __init__(self, pubsub: Any, prefix: str) -> None:
        self.pubsub = pubsub
        self.prefix = prefix
        self.lock = threading.Lock()  # commands and the bookkeeping below
        self.reading = threading.Lock()  # one reader of the connection at a time
        self.channels: set[str] = set()
        self.unconfirmed: dict[str, threading.Event] = {}
        self.pending: deque[tuple[str, Event]] = deque()

    def get(self, timeout: float | None = None) -> tuple[str, Event] | None:
        deadline = time.monotonic() + (timeout or 0.0)
        with self.reading:
            while True:
                if self.pending:
                    return self.pending.popleft()
                item = self._read(max(deadline - time.monotonic(), 0.0))
                if item is not None:
                    return item
                if time.monotonic() >= deadline:
                    return None

    def _read(self, timeout: float) -> tuple[str, Event] | None:
        """One message off the connection (the caller holds `reading`): an event of ours, or
        None (nothing came, a confirmation, or an event of a channel no longer wanted)."""
        message = self.pubsub.get_message(timeout=timeout)
        if message is None:
            return None
        if message.get("type") == "subscribe":
            with self.lock:
                confirmed = self.unconfirmed.pop(message["channel"].decode(), None)
            if confirmed is not None:
                confirmed.set()
            return None
        if message.get("type") != "message":
            return None
        channel = message["channel"].decode()[len(self.prefix) :]
        if channel not in self.channels:
            return None
        return channel, orjson.loads(message["data"])

    def add(self, channels: Iterable[str]) -> None:
        with self.lock:
            new = set(channels) - self.channels
            if not new:
                return
            self.channels |= new
            names = [self.prefix + c for c in new]
            waits = [self.unconfirmed.setdefault(name, threading.Event()) for name in names]
            self.pubsub.subscribe(*names)
        deadline = time.monotonic() + self.CONFIRM_TIMEOUT
        for confirmed in waits:
            while not confirmed.is_set() and time.monotonic() < deadline:
                if self.reading.acquire(blocking=False):  # nobody reads: read here
                    try:
                        item = self._read(self.CONFIRM_POLL)
                        if item is not None:
                            self.pending.append(item)
                    finally:
                        self.reading.release()
                else:
                    confirmed.wait(self.CONFIRM_POLL)

    def remove(self, channels: Iterable[str]) -> None:
        with self.lock:
            gone = set(channels) & self.channels
            if gone:
                self.channels -= gone
                self.pubsub.unsubscribe(*(self.prefix + c for c in gone))

    def close(self) -> None:
        with self.lock:
            self.channels.clear()
            self.pubsub.close()


def init_app(app: Flask) -> None:
    settings = app.config["FEDI"]
    bus = RedisBus(settings.REDIS_URL, settings.LOCAL_DOMAIN) if settings.REDIS_URL else MemoryBus()
    app.extensions["fedi.bus"] = bus


def current_bus() -> MemoryBus | RedisBus:
    return current_app.extensions["fedi.bus"]


def publish(channel: str, event: Event) -> None:
    """Publish after commit; a bus failure is logged, never raised into the caller's use case."""
    try:
        current_bus().publish(channel, event)
    except Exception:  # the database already holds the truth; live updates are best effort
        log.exception("could not publish to %s", channel)


def subscribe(channels: Iterable[str]) -> Subscription:
    return current_bus().subscribe(channels)
