"""Signing in to the web UI and out again; who is signed in is read by fedi/http/session.py
(shared with the OAuth authorize page). Each sign-in is a browser session of its own
(fedi/services/sessions.py), listed on /settings/sessions."""

from __future__ import annotations

from flask import request, session

from fedi.http.client_address import client_ip
from fedi.http.session import SECRET_KEY, USER_KEY, current_user, remember
from fedi.models import Account, User
from fedi.services import sessions


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
