"""Security headers on every response, and a strict Content-Security-Policy on HTML.

No inline scripts or styles anywhere: scripts are files under /static (htmx reads its settings
from `<meta name="htmx-config">`, so it injects no indicator styles). The OAuth authorize page
also lets its form lead to the app's redirect URI (browsers check `form-action` on the redirect
that follows a form submission).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, request

from fedi.headers import add_missing

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' https: data:",
    "media-src": "'self' https:",
    "connect-src": "'self' ws: wss:",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=()",
}
AUTHORIZE_ENDPOINTS = frozenset({"api_oauth.authorize", "api_oauth.decide"})
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")


def redirect_source(uri: str | None) -> str | None:
    """A CSP source expression for an OAuth redirect URI: `https://app.example`,
    `http://127.0.0.1:8080` or `myapp:` for custom schemes; None for anything odd."""
    if not uri:
        return None
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not _SCHEME.match(scheme):
        return None
    if scheme in ("http", "https"):
        return f"{scheme}://{parts.netloc}" if parts.netloc and _HOST.match(parts.netloc) else None
    if scheme in ("javascript", "data", "blob", "file"):
        return None
    return f"{scheme}:"


def policy(extra_form_action: str | None = None, existing: str | None = None) -> str:
    """The policy; directives a view already set (`existing`) are kept as the view set them."""
    directives = dict(CSP)
    if extra_form_action:
        directives["form-action"] = f"'self' {extra_form_action}"
    for part in (existing or "").split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.strip()
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def add_headers(response: Response) -> Response:
    add_missing(response, HEADERS)
    if response.mimetype == "text/html":
        extra = None
        if request.endpoint in AUTHORIZE_ENDPOINTS:
            extra = redirect_source(request.values.get("redirect_uri"))
        existing = response.headers.get("Content-Security-Policy")
        response.headers["Content-Security-Policy"] = policy(extra, existing)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
