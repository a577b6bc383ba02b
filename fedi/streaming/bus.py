"""The event bus: `publish(channel, event)` / `subscribe(channels)`.

In-memory on the embedded default (one process), Redis pub/sub when REDIS_URL is set (any number
of web and worker processes). Events are small JSON dicts naming what changed (e.g.
`{"event": "update", "status_id": "123"}`); subscribers render them for their own viewer.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

import orjson
from flask import Flask, current_app

log = logging.getLogger(__name__)
PREFIX = "wren:"
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
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def publish(self, channel: str, event: Event) -> None:
        self.client.publish(PREFIX + channel, orjson.dumps(event))

    def subscribe(self, channels: Iterable[str]) -> _RedisSubscription:
        sub = _RedisSubscription(self.client.pubsub(ignore_subscribe_messages=True))
        sub.add(channels)
        return sub


class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self.pubsub = pubsub
        self.lock = threading.Lock()

    def get(self, timeout: float | None = None) -> tuple[str, Event] | None:
        with self.lock:
            if not self.pubsub.subscribed:
                return None
            message = self.pubsub.get_message(timeout=timeout or 0.0)
        if message is None or message.get("type") != "message":
            return None
        channel = message["channel"].decode()[len(PREFIX) :]
        return channel, orjson.loads(message["data"])

    def add(self, channels: Iterable[str]) -> None:
        names = [PREFIX + c for c in channels]
        if names:
            with self.lock:
                self.pubsub.subscribe(*names)

    def remove(self, channels: Iterable[str]) -> None:
        names = [PREFIX + c for c in channels]
        if names:
            with self.lock:
                self.pubsub.unsubscribe(*names)

    def close(self) -> None:
        with self.lock:
            self.pubsub.close()


def init_app(app: Flask) -> None:
    url = app.config["FEDI"].REDIS_URL
    app.extensions["fedi.bus"] = RedisBus(url) if url else MemoryBus()


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
