"""Registers the client API: every module of fedi.api.v1 and fedi.api.v2 exposes a blueprint `bp`,
plus the API-wide response headers."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask, request

import fedi.api.v1
import fedi.api.v2
from fedi.headers import add_missing


def _modules():
    for package in (fedi.api.v1, fedi.api.v2):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            yield importlib.import_module(f"{package.__name__}.{info.name}")


API_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, X-RateLimit-Reset, X-RateLimit-Limit, "
    "X-RateLimit-Remaining, X-Request-Id, Idempotency-Key",
    "Cache-Control": "private, no-store",
}


def init_app(app: Flask) -> None:
    from fedi.api import instance, ratelimit

    ratelimit.init_app(app)
    app.register_blueprint(instance.bp)
    for module in _modules():
        bp = getattr(module, "bp", None)
        if bp is not None:
            app.register_blueprint(bp)

    @app.after_request
    def _api_headers(response):
        if request.path.startswith(("/api/", "/oauth/token", "/oauth/revoke")):
            add_missing(response, API_HEADERS)
            response.vary.add("Authorization")
        return response
