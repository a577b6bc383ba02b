"""Signing in to the web UI and out again; who is signed in is read by fedi/http/session.py
(shared with the OAuth authorize page)."""

from __future__ import annotations

from flask import request, session

from fedi.http.session import FINGERPRINT_KEY, USER_KEY, current_user, fingerprint
from fedi.models import Account, User


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
