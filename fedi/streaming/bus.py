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
        sub = _RedisSubscription(self.client.pubsub(ignore_subscribe_messages=True), self.prefix)
        sub.add(channels)
        return sub


class _RedisSubscription:
    """A Redis pub/sub connection. `add` waits until Redis confirms the subscription, so an event
    published right after it returns is received; events of removed channels are dropped."""

    CONFIRM_TIMEOUT = 5.0

    def __init__(self, pubsub: Any, prefix: str) -> None:
        self.pubsub = pubsub
        self.prefix = prefix
        self.lock = threading.Lock()
        self.channels: set[str] = set()
        self.pending: deque[tuple[str, Event]] = deque()

    def get(self, timeout: float | None = None) -> tuple[str, Event] | None:
        deadline = time.monotonic() + (timeout or 0.0)
        while True:
            with self.lock:
                if self.pending:
                    return self.pending.popleft()
                if not self.pubsub.subscribed:
                    return None
                remaining = max(deadline - time.monotonic(), 0.0)
                item = self._decode(self.pubsub.get_message(timeout=remaining))
            if item is not None:
                return item
            if time.monotonic() >= deadline:
                return None

    def _decode(self, message: dict[str, Any] | None) -> tuple[str, Event] | None:
        if message is None or message.get("type") != "message":
            return None
        channel = message["channel"].decode()[len(self.prefix) :]
        if channel not in self.channels:
            return None
        return channel, orjson.loads(message["data"])

    def add(self, channels: Iterable[str]) -> None:
        new = set(channels) - self.channels
        if not new:
            return
        with self.lock:
            self.channels |= new
            self.pubsub.subscribe(*(self.prefix + c for c in new))
            self._await_confirmations({self.prefix + c for c in new})

    def _await_confirmations(self, names: set[str]) -> None:
        deadline = time.monotonic() + self.CONFIRM_TIMEOUT
        while names and time.monotonic() < deadline:
            response = self.pubsub.parse_response(block=False, timeout=0.1)
            if response is None:
                continue
            if response[0].decode() == "subscribe":
                names.discard(response[1].decode())
            item = self._decode(self.pubsub.handle_message(response))  # keeps redis-py's state
            if item is not None:
                self.pending.append(item)

    def remove(self, channels: Iterable[str]) -> None:
        gone = set(channels) & self.channels
        if gone:
            with self.lock:
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
