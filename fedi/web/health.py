"""GET /health: database, Redis and queue status for load balancers and container health checks."""

from __future__ import annotations

import time

from flask import Blueprint, current_app
from sqlalchemy import text

from fedi.extensions import db
from fedi.http.json import json_response
from fedi.queue import huey

bp = Blueprint("web_health", __name__)


def _check(fn) -> dict[str, object]:
    started = time.perf_counter()
    try:
        detail = fn()
    except Exception as exc:  # report, never raise: this endpoint diagnoses failures
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result: dict[str, object] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail is not None:
        result.update(detail)
    return result


def _database() -> None:
    db.session.execute(text("SELECT 1"))


def _redis() -> dict[str, object]:
    import redis

    redis.Redis.from_url(current_app.config["FEDI"].REDIS_URL, socket_timeout=2).ping()
    return {}


def _queue() -> dict[str, object]:
    return {"backend": type(huey.storage).__name__, "pending": huey.pending_count()}


@bp.get("/health")
def health():
    settings = current_app.config["FEDI"]
    checks = {"database": _check(_database), "queue": _check(_queue)}
    if settings.REDIS_URL:
        checks["redis"] = _check(_redis)
    ok = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if ok else "error", "embedded": settings.embedded, **checks}
    response = json_response(body, status=200 if ok else 503)
    response.headers["Cache-Control"] = "no-store"
    return response
