"""Signing in to the web UI and out again; who is signed in is read by fedi/http/session.py
(shared with the OAuth authorize page)."""

from __future__ import annotations

import hmac
import time

from flask import request, session

from fedi.extensions import db
from fedi.http.session import FINGERPRINT_KEY, USER_KEY, current_user, fingerprint
from fedi.models import Account, User

TWO_FACTOR_KEY = "two_factor"  # the password was right; the code is still to come
TWO_FACTOR_SECONDS = 300


def current_web_account() -> Account | None:
    user = current_user()
    return user.account if user is not None else None


def log_in(user: User) -> None:
    """Start a fresh session for `user` (nothing from the previous one survives)."""
    from fedi.web import csrf

    session.clear()
    session.permanent = True
    session[USER_KEY] = user.id
    session[FINGERPRINT_KEY] = fingerprint(user)
    csrf.rotate()
    request.wren_user = user


def log_out() -> None:
    from fedi.web import csrf

    session.clear()
    csrf.rotate()
    request.wren_user = None


def await_second_factor(user: User, next_url: str) -> None:
    """Remember, for a few minutes, that `user` gave the right password and where to go once
    the code is right; nobody is signed in yet."""
    session.pop(USER_KEY, None)
    session[TWO_FACTOR_KEY] = {
        "user": user.id, "fp": fingerprint(user), "at": int(time.time()), "next": next_url,
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
    if not hmac.compare_digest(str(pending.get("fp", "")), fingerprint(user)):
        return None
    return user, str(pending.get("next") or "/")


def forget_second_factor() -> None:
    session.pop(TWO_FACTOR_KEY, None)
