"""Signing in to and out of the web UI (also the first step of the OAuth authorize page)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request

from fedi.errors import TooManyRequests
from fedi.http import session as http_session
from fedi.http.client_address import client_ip
from fedi.services import accounts, sign_up_reviews
from fedi.web import session as web_session

bp = Blueprint("web_auth", __name__, url_prefix="/auth")
bp.add_app_template_global(web_session.current_web_account, "current_web_account")

BAD_LOGIN = "Invalid e-mail address or password."
PENDING = "Your account is waiting for a moderator's approval. You can sign in once it is approved."


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-origin path to continue to; anything else (other hosts, schemes, `//x`,
    backslashes, control characters) falls back to `default`."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def _form(error: str | None = None, login: str = "", status: int = 200, **headers: str):
    next_url = safe_next(request.values.get("next"), "")
    html = render_template(
        "auth/sign_in.html", error=error, login=login, next_url=next_url,
        account=web_session.current_web_account(),
    )  # fmt: skip
    return html, status, {"Cache-Control": "no-store", **headers}


@bp.get("/sign_in")
def sign_in_form():
    return _form()


@bp.post("/sign_in")
def sign_in():
    login = (request.form.get("login") or "").strip()
    password = request.form.get("password") or ""
    try:
        user = accounts.authenticate(login=login, password=password, client_address=client_ip())
    except TooManyRequests as err:
        return _form(err.message, login, 429, **{"Retry-After": str(err.retry_after)})
    if user is None:
        if sign_up_reviews.awaiting_approval(login=login, password=password):
            return _form(PENDING, login, 403)
        return _form(BAD_LOGIN, login, 401)
    next_url = safe_next(request.form.get("next"))
    web_session.log_in(user)
    if next_url.startswith("/oauth/authorize"):
        http_session.mark_oauth_login()
    return redirect(next_url, 303)


@bp.post("/sign_out")
def sign_out():
    next_url = safe_next(request.form.get("next"))
    web_session.log_out()
    return redirect(next_url, 303)
