"""Helpers for the signed-in web page tests: sign in, scrape CSRF tokens, post forms."""

from __future__ import annotations

import html
import logging
import re

from tests.oauth_flow import hidden_fields, sign_in

HTMX = {"HX-Request": "true"}

__all__ = ["HTMX", "field_value", "form_post", "mail_log", "page", "signed_in", "token"]


def signed_in(app, login: str = "alice"):
    """A new test client signed in as `login` (each user gets their own browser)."""
    client = app.test_client()
    r = sign_in(client, login)
    assert r.status_code == 303, r.get_data(as_text=True)
    return client


def page(client, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code, r.headers.get("Location"))
    return r.get_data(as_text=True)


def token(client, path: str = "/home") -> str:
    return hidden_fields(page(client, path))["csrf_token"]


def form_post(client, path: str, data: dict | None = None, *, htmx: bool = False, **kw):
    body = {"csrf_token": token(client)} | (data or {})
    headers = dict(HTMX) if htmx else {}
    headers |= kw.pop("headers", {})
    return client.post(path, data=body, headers=headers, **kw)


def mail_log(caplog):
    """Capture what fedi.services.mail logs (Alembic's logging setup may have disabled it)."""
    logger = logging.getLogger("fedi.services.mail")
    logger.disabled = False
    return caplog.at_level(logging.WARNING, logger=logger.name)


def field_value(text: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', text)
    return html.unescape(match.group(1)) if match else None
