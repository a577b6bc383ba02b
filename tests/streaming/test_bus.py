"""The event bus: the same interface in memory and over Redis pub/sub."""

from __future__ import annotations

import threading

import pytest

from fedi.events.bus import MemoryBus, RedisBus
from tests.helpers import redis_url, service_unavailable


@pytest.fixture(params=["memory", "redis"])
def bus(request):
    if request.param == "memory":
        return MemoryBus()
    import redis

    try:
        redis.Redis.from_url(redis_url(), socket_timeout=2).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {redis_url()} ({exc})")
    return RedisBus(redis_url())


def test_subscribers_receive_only_their_channels(bus):
    sub = bus.subscribe(["timeline:1", "timeline:public"])
    other = bus.subscribe(["timeline:2"])
    try:
        bus.publish("timeline:1", {"event": "update", "status_id": "10"})
        bus.publish("timeline:2", {"event": "update", "status_id": "20"})
        bus.publish("timeline:public", {"event": "delete", "status_id": "30"})

        assert sub.get(timeout=2) == ("timeline:1", {"event": "update", "status_id": "10"})
        assert sub.get(timeout=2) == ("timeline:public", {"event": "delete", "status_id": "30"})
        assert sub.get(timeout=0.2) is None
        assert other.get(timeout=2) == ("timeline:2", {"event": "update", "status_id": "20"})
    finally:
        sub.close()
        other.close()


def test_add_and_remove_channels(bus):
    sub = bus.subscribe([])
    try:
        sub.add(["timeline:hashtag:wren"])
        bus.publish("timeline:hashtag:wren", {"event": "update", "status_id": "1"})
        assert sub.get(timeout=2) == (
            "timeline:hashtag:wren",
            {"event": "update", "status_id": "1"},
        )
        sub.remove(["timeline:hashtag:wren"])
        bus.publish("timeline:hashtag:wren", {"event": "update", "status_id": "2"})
        assert sub.get(timeout=0.3) is None
    finally:
        sub.close()


def test_events_cross_threads(bus):
    sub = bus.subscribe(["timeline:7"])
    try:
        sender = threading.Thread(
            target=bus.publish, args=("timeline:7", {"event": "notification", "id": "5"})
        )
        sender.start()
        sender.join()
        assert sub.get(timeout=2) == ("timeline:7", {"event": "notification", "id": "5"})
    finally:
        sub.close()
