"""API rate limits with Mastodon's defaults, in fixed windows.

Every /api request counts against 300 requests per 5 minutes, per account when it carries a valid
token (per token for app-only tokens) and per IP address otherwise. Some actions have their own,
stricter budget on top: sign-ups (5 per 30 minutes per IP), posting and boosting (300 per 3 hours
per account), media uploads (30 per 30 minutes) and deleting statuses or boosts (30 per 30
minutes). Every response carries X-RateLimit-Limit, -Remaining and -Reset (ISO 8601, the end of
the window) for the most specific budget; over a budget the answer is 429
`{"error": "Too many requests"}`. Requests from loopback addresses are not limited (Mastodon
allows localhost the same way); behind a reverse proxy on a private or loopback address the
client is the last untrusted address of X-Forwarded-For.

Counters live in Redis (INCR + EXPIRE in one MULTI) when REDIS_URL is set, otherwise in a
thread-safe in-process store. If Redis cannot be reached, requests pass unlimited (and a warning is
logged) rather than failing.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, Response, current_app, request
from redis import RedisError

from fedi.api.auth import token_info
from fedi.http.json import json_response

log = logging.getLogger(__name__)
EXTENSION = "wren_ratelimit"
PREFIX = "wren:rl:"
EXEMPT_PREFIXES = ("/api/v1/streaming",)
TRUSTED_PROXIES = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    period: int  # seconds
    request: str | None = None  # a pattern for "METHOD /path"; None: every /api request
    per_ip: bool = False  # always per IP, even with a token

    def matches(self, line: str) -> bool:
        return self.request is None or re.fullmatch(self.request, line) is not None


RULES = (
    Rule("api", 300, 5 * 60),
    Rule("sign_up", 5, 30 * 60, r"POST /api/v1/accounts/?", per_ip=True),
    Rule("statuses", 300, 3 * 3600, r"POST /api/v1/statuses(/\d+/reblog)?/?"),
    Rule("media", 30, 30 * 60, r"POST /api/v\d+/media/?"),
    Rule(
        "delete", 30, 30 * 60, r"DELETE /api/v1/statuses/\d+/?|POST /api/v1/statuses/\d+/unreblog/?"
    ),
)


@dataclass(frozen=True)
class Usage:
    rule: Rule
    limit: int
    count: int
    reset_at: float

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        reset = datetime.fromtimestamp(self.reset_at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": reset,
        }


class MemoryStore:
    """Fixed-window counters in this process (the embedded default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}
        self._next_sweep = 0.0

    def hit(self, keys: list[tuple[str, int]]) -> list[int]:
        """Add one to each key (expiring after its ttl in seconds); the new counts."""
        now = time.time()
        out = []
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + 60
            for key, ttl in keys:
                count, expires = self._counts.get(key, (0, now + ttl))
                if expires <= now:
                    count, expires = 0, now + ttl
                self._counts[key] = (count + 1, expires)
                out.append(count + 1)
        return out

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class RedisStore:
    """Fixed-window counters in Redis, shared by every process."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def hit(self, keys: list[tuple[str, int]]) -> list[int]:
        pipe = self.client.pipeline(transaction=True)
        for key, ttl in keys:
            pipe.incr(key)
            pipe.expire(key, ttl)
        return [int(n) for n in pipe.execute()[::2]]

    def reset(self) -> None:
        keys = list(self.client.scan_iter(match=f"{PREFIX}*", count=1000))
        if keys:
            self.client.delete(*keys)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in TRUSTED_PROXIES)


def client_ip() -> str:
    address = request.remote_addr or ""
    if not _trusted(address):
        return address
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [a for a in forwarded if a]
    for candidate in reversed(forwarded):
        if not _trusted(candidate):
            return candidate
    return forwarded[0] if forwarded else address


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _matching(method: str, path: str) -> list[Rule]:
    line = f"{method} {path}"
    return [r for r in RULES if r.matches(line)]


def _who(rule: Rule, ip: str) -> str:
    token = None if rule.per_ip else token_info()
    if token is None:
        return f"ip:{ip}"
    return f"account:{token.account_id}" if token.account_id else f"token:{token.id}"


def measure(store, rules: list[Rule], ip: str) -> list[Usage]:
    """Count this request against each rule; how each budget stands now."""
    overrides = current_app.config["FEDI"].RATE_LIMITS
    now = time.time()
    plans = []
    for rule in rules:
        limit, period = overrides.get(rule.name, (rule.limit, rule.period))
        window = int(now // period)
        key = f"{PREFIX}{rule.name}:{window}:{_who(rule, ip)}"
        plans.append((rule, limit, key, period, (window + 1) * period))
    counts = store.hit([(key, period) for _, _, key, period, _ in plans])
    return [
        Usage(r, limit, n, reset) for (r, limit, _, _, reset), n in zip(plans, counts, strict=True)
    ]


def _check() -> Response | None:
    settings = current_app.config["FEDI"]
    path = request.path
    if not settings.RATE_LIMIT_ENABLED or request.method == "OPTIONS":
        return None
    if not path.startswith("/api/") or path.startswith(EXEMPT_PREFIXES):
        return None
    ip = client_ip()
    if _loopback(ip):
        return None
    try:
        usages = measure(current_app.extensions[EXTENSION], _matching(request.method, path), ip)
    except (RedisError, OSError) as exc:  # the store is down: serve unlimited, don't fail
        log.warning("rate limits skipped: %s", exc)
        return None
    over = [u for u in usages if u.exceeded]
    request.wren_rate_limit = over[0] if over else usages[-1]
    if over:
        return json_response({"error": "Too many requests"}, 429)
    return None


def _headers(response: Response) -> Response:
    usage = getattr(request, "wren_rate_limit", None)
    if usage is not None:
        for name, value in usage.headers().items():
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    settings = app.config["FEDI"]
    app.extensions[EXTENSION] = (
        RedisStore(settings.REDIS_URL) if settings.REDIS_URL else MemoryStore()
    )
    app.before_request(_check)
    app.after_request(_headers)
