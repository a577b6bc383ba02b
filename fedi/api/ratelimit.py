"""API rate limits with Mastodon's defaults, in fixed windows.

Every /api request counts against 300 requests per 5 minutes, per account when it carries a valid
token (per token for app-only tokens) and per IP address otherwise. Some actions have their own,
stricter budget on top: sign-ups (5 per 30 minutes per IP), posting and boosting (300 per 3 hours
per account), media uploads (30 per 30 minutes) and deleting statuses or boosts (30 per 30
minutes). Every response carries X-RateLimit-Limit, -Remaining and -Reset (ISO 8601, the end of
the window) for the most specific budget; over a budget the answer is 429
`{"error": "Too many requests"}`. Requests from loopback addresses are not limited (Mastodon
allows localhost the same way); behind a trusted reverse proxy (TRUSTED_PROXIES) the client is
the last untrusted address of X-Forwarded-For.

Counters live in Redis (INCR + EXPIRE in one MULTI) when REDIS_URL is set, otherwise in a
thread-safe in-process store. If Redis cannot be reached, requests pass unlimited (and a warning is
logged) rather than failing.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, Response, current_app, request
from redis import RedisError

from fedi import hosts, rate_counters
from fedi.api.auth import token_info
from fedi.http.client_address import client_ip
from fedi.http.json import json_response

log = logging.getLogger(__name__)
EXEMPT_PREFIXES = ("/api/v1/streaming",)


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
        key = f"{rate_counters.PREFIX}{rule.name}:{window}:{_who(rule, ip)}"
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
    if hosts.is_loopback(ip):
        return None
    try:
        usages = measure(rate_counters.store(), _matching(request.method, path), ip)
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
    app.before_request(_check)
    app.after_request(_headers)
