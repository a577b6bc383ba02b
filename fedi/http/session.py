"""Who is signed in through the browser: the user id in Flask's signed session cookie, read by
the web UI and by the OAuth authorize page.

The session also holds a fingerprint of the password hash, so changing the password signs
out every other browser. Lookups are cached on `flask.request`, never on `flask.g`. Signing in
and out (which also rotates the CSRF token) is the web UI's: fedi/web/session.py.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time

from flask import current_app, request, session
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from fedi.extensions import db
from fedi.models import Account, User

USER_KEY = "user_id"
FINGERPRINT_KEY = "auth_fp"
OAUTH_LOGIN_KEY = "oauth_login"  # when someone signed in on the way to /oauth/authorize
OAUTH_LOGIN_SECONDS = 600


def fingerprint(user: User) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


@functools.cache
def _user_statement():
    """The user and their account in one query, built once (every signed-in page runs it);
    the account's keys (kilobytes no page shows) load only if something reads them."""
    account = joinedload(User.account, innerjoin=True)
    return (
        select(User)
        .where(User.id == bindparam("user_id"))
        .options(account.defer(Account.private_key).defer(Account.public_key))
    )


def _load() -> User | None:
    user_id = session.get(USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = db.session.scalar(_user_statement(), {"user_id": user_id})
    if user is None or not user.can_sign_in:
        return None
    # Both sides of the one-to-one from this one row: templates read `account.user` too.
    set_committed_value(user.account, "user", user)
    if not hmac.compare_digest(session.get(FINGERPRINT_KEY, ""), fingerprint(user)):
        return None
    return user


def current_user() -> User | None:
    """The signed-in user, if the session names one who may still sign in."""
    if not hasattr(request, "wren_user"):
        request.wren_user = _load()
    return request.wren_user


def mark_oauth_login() -> None:
    """Note that this sign-in happened on the way to the OAuth authorize page, so that page can
    honour an app's `force_login` once instead of asking again."""
    session[OAUTH_LOGIN_KEY] = int(time.time())


def pop_oauth_login() -> bool:
    """Whether the session signed in for an authorization request just now (good once)."""
    at = session.pop(OAUTH_LOGIN_KEY, None)
    return isinstance(at, int) and 0 <= time.time() - at < OAUTH_LOGIN_SECONDS
