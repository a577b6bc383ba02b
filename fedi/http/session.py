"""Who is signed in through the browser, read by the web UI and by the OAuth authorize page.

Flask's signed session cookie carries the user id and the secret of a browser session
(fedi/services/sessions.py); the cookie counts only while its `web_sessions` row exists, so
signing out, revoking the session from the settings page or changing the password (which ends
every other session) signs that browser out at its next request. One indexed query finds the
row, the user and their account together; the row's last use is written at most every few
minutes. Cookies without a session secret (from before sessions were recorded) are signed out.

Lookups are cached on `flask.request`, never on `flask.g`. Signing in and out (which also rotates
the CSRF token) is the web UI's: fedi/web/session.py.
"""

from __future__ import annotations

import time

from flask import request, session
from sqlalchemy.orm.attributes import set_committed_value

from fedi.http.client_address import client_ip
from fedi.models import User
from fedi.services import sessions

USER_KEY = "user_id"
SECRET_KEY = "sid"  # the browser session's secret (only its digest is stored)
OAUTH_LOGIN_KEY = "oauth_login"  # when someone signed in on the way to /oauth/authorize
OAUTH_LOGIN_SECONDS = 600


def _load() -> tuple[User, int] | None:
    user_id, secret = session.get(USER_KEY), session.get(SECRET_KEY)
    if user_id is None and secret is None:
        return None
    found = None
    if isinstance(user_id, int) and isinstance(secret, str):
        found = sessions.lookup(user_id, secret)
    if found is None:  # ended, revoked, or a cookie from before sessions were recorded
        session.pop(USER_KEY, None)
        session.pop(SECRET_KEY, None)
        return None
    user = found.user
    if not user.can_sign_in:
        return None
    if found.stale:
        sessions.touch(found.session_id, user_agent=request.user_agent.string, address=client_ip())
    # Both sides of the one-to-one from this one row: templates read `account.user` too.
    set_committed_value(user.account, "user", user)
    return user, found.session_id


def _current() -> tuple[User, int] | None:
    if not hasattr(request, "wren_session"):
        request.wren_session = _load()
    return request.wren_session


def current_user() -> User | None:
    """The signed-in user, if the session is live and names one who may still sign in."""
    found = _current()
    return found[0] if found is not None else None


def current_session_id() -> int | None:
    """The id of this browser's session (the row in `web_sessions`), if signed in."""
    found = _current()
    return found[1] if found is not None else None


def remember(user: User | None, session_id: int | None = None) -> None:
    """Who this request is signed in as from now on (after signing in or out)."""
    request.wren_session = (user, session_id) if user is not None and session_id else None


def mark_oauth_login() -> None:
    """Note that this sign-in happened on the way to the OAuth authorize page, so that page can
    honour an app's `force_login` once instead of asking again."""
    session[OAUTH_LOGIN_KEY] = int(time.time())


def pop_oauth_login() -> bool:
    """Whether the session signed in for an authorization request just now (good once)."""
    at = session.pop(OAUTH_LOGIN_KEY, None)
    return isinstance(at, int) and 0 <= time.time() - at < OAUTH_LOGIN_SECONDS
