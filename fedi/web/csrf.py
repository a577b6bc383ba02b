"""CSRF protection for the web UI: a token per session, required on every state-changing
request except the machine-facing endpoints (client API, token endpoints, ActivityPub inboxes),
which authenticate by bearer token, client secret or HTTP signature instead of cookies."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session

from fedi.errors import Forbidden

SESSION_KEY = "csrf_token"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EXEMPT_PREFIXES = ("/api/", "/oauth/token", "/oauth/revoke", "/inbox")
MESSAGE = "This form has expired or was not sent from this site. Reload the page and try again."
# 96 random bits (16 characters): far beyond online guessing, and short, because every status
# card carries the token in its own no-JS form (tests/web/test_page_weight.py keeps pages small).
TOKEN_BYTES = 12


def csrf_token() -> str:
    """The session's token (created on first use); templates call it as `csrf_token()`."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = session[SESSION_KEY] = secrets.token_urlsafe(TOKEN_BYTES)
    return token


def rotate() -> str:
    session[SESSION_KEY] = secrets.token_urlsafe(TOKEN_BYTES)
    return session[SESSION_KEY]


def exempt(path: str) -> bool:
    return path.startswith(EXEMPT_PREFIXES) or path.rstrip("/").endswith("/inbox")


def protect() -> None:
    """Refuse a state-changing web request whose token is missing or wrong."""
    if request.method in SAFE_METHODS or exempt(request.path):
        return
    expected = session.get(SESSION_KEY)
    sent = request.headers.get(HEADER) or request.form.get(FIELD)
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise Forbidden(MESSAGE)


def init_app(app: Flask) -> None:
    app.before_request(protect)
    app.add_template_global(csrf_token, "csrf_token")
