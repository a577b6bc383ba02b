"""Signing in to the web UI and out again; who is signed in is read by fedi/http/session.py
(shared with the OAuth authorize page). Each sign-in is a browser session of its own
(fedi/services/sessions.py), listed on /settings/sessions."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request, session

from fedi.extensions import db
from fedi.http.client_address import client_ip
from fedi.http.session import SECRET_KEY, USER_KEY, current_user, remember
from fedi.models import Account, User
from fedi.services import sessions

TWO_FACTOR_KEY = "two_factor"  # the password was right; the code is still to come
TWO_FACTOR_SECONDS = 300


def current_web_account() -> Account | None:
    user = current_user()
    return user.account if user is not None else None


def log_in(user: User) -> None:
    """Start a fresh session for `user` (nothing from the previous one survives: its row is
    deleted too)."""
    from fedi.web import csrf

    previous = session.get(SECRET_KEY)
    session.clear()
    if isinstance(previous, str):
        sessions.end(previous)
    session_id, secret = sessions.start(
        user, user_agent=request.user_agent.string, address=client_ip()
    )
    session.permanent = True
    session[USER_KEY] = user.id
    session[SECRET_KEY] = secret
    csrf.rotate()
    remember(user, session_id)


def log_out() -> None:
    from fedi.web import csrf

    secret = session.get(SECRET_KEY)
    session.clear()
    if isinstance(secret, str):
        sessions.end(secret)
    csrf.rotate()
    remember(None)


def _password_mark(user: User) -> str:
    """Changes when the password does: a second step started before a change is void."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def await_second_factor(user: User, next_url: str) -> None:
    """Remember, for a few minutes, that `user` gave the right password and where to go once
    the code is right; nobody is signed in yet (a session this browser has goes on until then)."""
    session[TWO_FACTOR_KEY] = {
        "user": user.id, "fp": _password_mark(user), "at": int(time.time()), "next": next_url,
    }  # fmt: skip


def awaiting_second_factor() -> tuple[User, str] | None:
    """The user (and the `next` path) waiting for a code, while that is still fresh and the
    password has not changed since."""
    pending = session.get(TWO_FACTOR_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    if not 0 <= time.time() - int(pending.get("at") or 0) < TWO_FACTOR_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.can_sign_in or not user.two_factor_enabled:
        return None
    if not hmac.compare_digest(str(pending.get("fp", "")), _password_mark(user)):
        return None
    return user, str(pending.get("next") or "/")


def forget_second_factor() -> None:
    session.pop(TWO_FACTOR_KEY, None)
