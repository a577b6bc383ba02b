"""The Mastodon client API. Its blueprints are listed in fedi/__init__.py; `init_app` adds what
every API response shares: rate limits and the CORS and caching headers."""

from __future__ import annotations

from flask import Flask, Response, request

from fedi.headers import add_missing

API_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, X-RateLimit-Reset, X-RateLimit-Limit, "
    "X-RateLimit-Remaining, X-Request-Id, Idempotency-Key",
    "Cache-Control": "private, no-store",
}
API_PATHS = ("/api/", "/oauth/token", "/oauth/revoke")


def add_api_headers(response: Response) -> Response:
    if request.path.startswith(API_PATHS):
        add_missing(response, API_HEADERS)
        response.vary.add("Authorization")
    return response


def init_app(app: Flask) -> None:
    from fedi.api import ratelimit  # here, so that importing any fedi.api module stays light

    ratelimit.init_app(app)
    app.after_request(add_api_headers)
