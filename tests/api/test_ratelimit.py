"""API rate limits: Mastodon's headers on every /api response, 429 past the budget, per account,
per IP and per action, with counters in memory and in Redis."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

from fedi import rate_counters
from tests.helpers import bearer, redis_url, service_unavailable, token_for

CLIENT_IP = {"REMOTE_ADDR": "203.0.113.7"}
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _redis_store() -> rate_counters.RedisStore:
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {url} ({exc})")
    return rate_counters.RedisStore(url)


@pytest.fixture(params=["memory", "redis"])
def store(request, app):
    chosen = rate_counters.MemoryStore() if request.param == "memory" else _redis_store()
    original = app.extensions[rate_counters.EXTENSION]
    chosen.reset()
    app.extensions[rate_counters.EXTENSION] = chosen
    yield chosen
    chosen.reset()
    app.extensions[rate_counters.EXTENSION] = original


@pytest.fixture
def limits(app, monkeypatch):
    """Lower some budgets for one test: limits(api=(2, 300))."""

    def lower(**rules):
        monkeypatch.setattr(app.config["FEDI"], "RATE_LIMITS", rules)

    return lower


def test_every_api_response_carries_the_headers(client, store):
    r = client.get("/api/v1/instance", environ_base=CLIENT_IP)

    assert r.status_code == 200
    assert r.headers["X-RateLimit-Limit"] == "300"
    assert r.headers["X-RateLimit-Remaining"] == "299"
    assert ISO.fullmatch(r.headers["X-RateLimit-Reset"])
    reset = datetime.strptime(r.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%S.%fZ")
    reset = reset.replace(tzinfo=UTC)
    assert reset.timestamp() % 300 == 0 and 0 < reset.timestamp() - time.time() <= 300
    missing = client.get("/api/v1/no-such-thing", environ_base=CLIENT_IP)
    assert missing.status_code == 404 and missing.headers["X-RateLimit-Remaining"] == "298"
    assert "X-RateLimit-Limit" not in client.get("/health", environ_base=CLIENT_IP).headers


def test_over_the_limit_answers_429(client, store, limits):
    limits(api=(2, 300))
    for remaining in ("1", "0"):
        r = client.get("/api/v1/instance", environ_base=CLIENT_IP)
        assert r.status_code == 200 and r.headers["X-RateLimit-Remaining"] == remaining

    r = client.get("/api/v1/instance", environ_base=CLIENT_IP)

    assert r.status_code == 429
    assert r.get_json() == {"error": "Too many requests"}
    assert r.headers["X-RateLimit-Limit"] == "2" and r.headers["X-RateLimit-Remaining"] == "0"
    assert ISO.fullmatch(r.headers["X-RateLimit-Reset"])
    other = client.get("/api/v1/instance", environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert other.status_code == 200


def test_accounts_have_their_own_budget_whatever_their_address(client, store, limits, alice, bob):
    limits(api=(1, 300))
    alice_token, bob_token = bearer(token_for(alice)), bearer(token_for(bob))
    path = "/api/v1/timelines/home"
    assert client.get(path, headers=alice_token, environ_base=CLIENT_IP).status_code == 200
    elsewhere = {"REMOTE_ADDR": "198.51.100.2"}
    assert client.get(path, headers=alice_token, environ_base=elsewhere).status_code == 429
    assert client.get(path, headers=bob_token, environ_base=CLIENT_IP).status_code == 200
    assert client.get("/api/v1/instance", environ_base=CLIENT_IP).status_code == 200


def test_actions_with_stricter_budgets(client, store, limits, alice):
    headers = bearer(token_for(alice))
    sign_up = client.post("/api/v1/accounts", environ_base=CLIENT_IP)
    assert sign_up.headers["X-RateLimit-Limit"] == "5"
    post = client.post("/api/v1/statuses", headers=headers, environ_base=CLIENT_IP)
    assert post.headers["X-RateLimit-Limit"] == "300"
    reset = datetime.strptime(post.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert reset.replace(tzinfo=UTC).timestamp() % (3 * 3600) == 0
    media = client.post("/api/v2/media", headers=headers, environ_base=CLIENT_IP)
    assert media.headers["X-RateLimit-Limit"] == "30"
    delete = client.delete("/api/v1/statuses/123", headers=headers, environ_base=CLIENT_IP)
    assert delete.headers["X-RateLimit-Limit"] == "30"
    unreblog = client.post("/api/v1/statuses/1/unreblog", headers=headers, environ_base=CLIENT_IP)
    assert unreblog.headers["X-RateLimit-Limit"] == "30"
    fetch = client.get("/api/v1/statuses/123", headers=headers, environ_base=CLIENT_IP)
    assert fetch.headers["X-RateLimit-Limit"] == "300"

    limits(sign_up=(1, 1800))
    r = client.post("/api/v1/accounts", environ_base=CLIENT_IP)
    assert r.status_code == 429 and r.get_json() == {"error": "Too many requests"}
    assert client.get("/api/v1/instance", environ_base=CLIENT_IP).status_code == 200


def test_loopback_callers_and_disabled_limits_are_not_counted(client, store, app, monkeypatch):
    assert "X-RateLimit-Limit" not in client.get("/api/v1/instance").headers
    monkeypatch.setattr(app.config["FEDI"], "RATE_LIMIT_ENABLED", False)
    assert "X-RateLimit-Limit" not in client.get("/api/v1/instance", environ_base=CLIENT_IP).headers


def test_the_client_behind_a_trusted_proxy_is_the_forwarded_address(client, store, limits):
    limits(api=(1, 300))
    proxied = {"REMOTE_ADDR": "127.0.0.1"}
    first = {"X-Forwarded-For": "203.0.113.50, 10.0.0.2"}
    assert client.get("/api/v1/instance", headers=first, environ_base=proxied).status_code == 200
    assert client.get("/api/v1/instance", headers=first, environ_base=proxied).status_code == 429
    second = {"X-Forwarded-For": "203.0.113.51"}
    assert client.get("/api/v1/instance", headers=second, environ_base=proxied).status_code == 200
    # An untrusted caller cannot pick its address.
    spoof = {"X-Forwarded-For": "192.0.2.99"}
    assert client.get("/api/v1/instance", headers=spoof, environ_base=CLIENT_IP).status_code == 200
    assert client.get("/api/v1/instance", headers=spoof, environ_base=CLIENT_IP).status_code == 429


def test_only_configured_proxies_are_trusted(client, store, limits, app, monkeypatch):
    limits(api=(1, 300))

    def status(forwarded: str) -> int:
        headers, peer = {"X-Forwarded-For": forwarded}, {"REMOTE_ADDR": "10.0.0.9"}
        return client.get("/api/v1/instance", headers=headers, environ_base=peer).status_code

    # By default only loopback is trusted: a peer on a private network is the client itself,
    # whatever it forwards.
    assert status("203.0.113.60, 10.0.0.2") == 200
    assert status("203.0.113.61") == 429
    # Trusted, the private network's proxies are skipped: the client is the address before them.
    monkeypatch.setattr(app.config["FEDI"], "TRUSTED_PROXIES", ["127.0.0.0/8", "10.0.0.0/8"])
    assert status("203.0.113.60, 10.0.0.2") == 200
    assert status("203.0.113.60, 10.0.0.2") == 429
    assert status("203.0.113.61") == 200


def test_counters_expire_with_their_window(store):
    key = f"{rate_counters.PREFIX}test:window"
    assert store.hit([(key, 1), (key + ":other", 60)]) == [1, 1]
    assert store.hit([(key, 1)]) == [2]
    time.sleep(1.1)
    assert store.hit([(key, 1)]) == [1]
    assert store.hit([(key + ":other", 60)]) == [2]
