"""Signing in to and out of the web UI (also the first step of the OAuth authorize page), with
the two-factor code as a second step for accounts that turned it on."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for

from fedi.errors import TooManyRequests, retry_headers
from fedi.http import session as http_session
from fedi.http.client_address import client_ip
from fedi.services import accounts, sign_up_reviews, two_factor
from fedi.web import session as web_session

bp = Blueprint("web_auth", __name__, url_prefix="/auth")
bp.add_app_template_global(web_session.current_web_account, "current_web_account")

BAD_LOGIN = "Invalid e-mail address or password."
BAD_CODE = "Invalid two-factor code."
CODE_EXPIRED = "Signing in took too long. Please enter your password again."
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
        return _form(err.message, login, 429, **retry_headers(err))
    if user is None:
        if sign_up_reviews.awaiting_approval(login=login, password=password):
            return _form(PENDING, login, 403)
        return _form(BAD_LOGIN, login, 401)
    next_url = safe_next(request.form.get("next"))
    if user.two_factor_enabled:
        web_session.await_second_factor(user, next_url)
        return redirect(url_for("web_auth.two_factor_form"), 303)
    return _signed_in(user, next_url)


def _signed_in(user, next_url: str):
    web_session.log_in(user)
    if next_url.startswith("/oauth/authorize"):
        http_session.mark_oauth_login()
    return redirect(next_url, 303)


def _code_form(error: str | None = None, status: int = 200, **headers: str):
    html = render_template("auth/two_factor.html", error=error)
    return html, status, {"Cache-Control": "no-store", **headers}


@bp.get("/two_factor")
def two_factor_form():
    if web_session.awaiting_second_factor() is None:
        return redirect(url_for("web_auth.sign_in_form"), 303)
    return _code_form()


@bp.post("/two_factor")
def two_factor_step():
    pending = web_session.awaiting_second_factor()
    if pending is None:
        web_session.forget_second_factor()
        return _form(CODE_EXPIRED, status=401)
    user, next_url = pending
    try:
        ok = two_factor.verify(user, request.form.get("code", ""), client_address=client_ip())
    except TooManyRequests as err:
        return _code_form(err.message, 429, **retry_headers(err))
    if not ok:
        return _code_form(BAD_CODE, 401)
    accounts.record_sign_in(user)
    return _signed_in(user, safe_next(next_url))


@bp.post("/sign_out")
def sign_out():
    next_url = safe_next(request.form.get("next"))
    web_session.log_out()
    return redirect(next_url, 303)
