"""Browser sessions, and ending every way into an account at once.

A browser that signs in gets a `web_sessions` row and a random secret; its signed session cookie
carries the user id and the secret, the row only the secret's SHA-256 digest (a copy of the table
cannot be turned into cookies). Every signed-in request finds its row and its user in one indexed
query (`lookup`); `last_used_at` (with the address and user agent) is written only when it is more
than `TOUCH_EVERY` old, not on every request. Signing out, revoking a session from the settings
page or `end_all` deletes rows: a cookie whose row is gone is signed out at its next request, and
its open live streams close at once (`kill` on the session's bus channel, fedi/hub/streams.py).

`end_all` is what a password change or reset does, whatever the path (settings, the e-mailed link,
the CLI): every other browser session, every OAuth token (their streams close too), pending
authorization codes, the Web Push subscriptions of what ended and any reset link.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import joinedload

from fedi.errors import NotFound
from fedi.events import channels
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import (
    Account,
    OAuthAuthorizationCode,
    OAuthToken,
    PushSubscription,
    User,
    WebSession,
    utcnow,
)

TOUCH_EVERY = timedelta(minutes=5)  # how stale `last_used_at` may get before a write
IDLE_LIFETIME = timedelta(days=31)  # the cookie's lifetime too (PERMANENT_SESSION_LIFETIME)
MAX_USER_AGENT = 512
MAX_ADDRESS = 64


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Current:
    """The signed-in user of a request and their session."""

    user: User
    session_id: int
    stale: bool  # last used more than TOUCH_EVERY ago: `touch` it


def start(user: User, *, user_agent: str, address: str) -> tuple[int, str]:
    """A new session for `user`: its id and the secret the cookie keeps."""
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user.id, secret_digest=_digest(secret),
        user_agent=(user_agent or "")[:MAX_USER_AGENT], address=(address or "")[:MAX_ADDRESS],
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id, secret


@functools.cache
def _lookup_statement():
    """The user, their account and their session in one query, built once (every signed-in
    page runs it); the account's keys (kilobytes no page shows) load only if something reads
    them."""
    account = joinedload(User.account, innerjoin=True)
    return (
        select(User, WebSession.id, WebSession.last_used_at)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.secret_digest == bindparam("digest"), User.id == bindparam("user_id"))
        .options(account.defer(Account.private_key).defer(Account.public_key))
    )


def lookup(user_id: int, secret: str) -> Current | None:
    """The user whose live session this cookie names, whether or not they may sign in now."""
    if not secret:
        return None
    row = db.session.execute(
        _lookup_statement(), {"digest": _digest(secret), "user_id": user_id}
    ).first()
    if row is None:
        return None
    user, session_id, last_used_at = row
    return Current(user, session_id, utcnow() - last_used_at > TOUCH_EVERY)


def touch(session_id: int, *, user_agent: str, address: str) -> None:
    """Note the session's use (at most every TOUCH_EVERY: see `Current.stale`)."""
    values = {
        "last_used_at": utcnow(),
        "user_agent": (user_agent or "")[:MAX_USER_AGENT],
        "address": (address or "")[:MAX_ADDRESS],
    }
    db.session.execute(
        update(WebSession).where(WebSession.id == session_id).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def signed_in_user(session_id: int) -> User | None:
    """The user of a live session who may still sign in (for open live streams)."""
    user = db.session.scalar(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.id == session_id)
        .options(
            joinedload(User.account, innerjoin=True)
            .defer(Account.private_key)
            .defer(Account.public_key)
        )
    )
    return user if user is not None and user.can_sign_in else None


def end(secret: str) -> None:
    """Sign out the session this cookie secret names (nothing if it is gone already)."""
    session_id = db.session.scalar(
        select(WebSession.id).where(WebSession.secret_digest == _digest(secret))
    )
    if session_id is None:
        return
    db.session.execute(delete(WebSession).where(WebSession.id == session_id))
    db.session.commit()
    channels.publish_web_session_kill(session_id)


def list_for(user: User) -> list[WebSession]:
    """The user's browser sessions, most recently used first."""
    return list(
        db.session.scalars(
            select(WebSession)
            .where(WebSession.user_id == user.id)
            .order_by(WebSession.last_used_at.desc(), WebSession.id.desc())
        )
    )


def revoke(user: User, session_id: int | str) -> None:
    """End one of the user's browser sessions: signed out at its next request, its live streams
    closed now."""
    session_id = parse_id(session_id)
    if session_id is None:  # not an id (nor a value the database would refuse)
        raise NotFound("Record not found")
    result = db.session.execute(
        delete(WebSession)
        .where(WebSession.id == session_id, WebSession.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        db.session.rollback()
        raise NotFound("Record not found")
    db.session.commit()
    channels.publish_web_session_kill(session_id)


def end_all(user: User, *, keep: int | None = None) -> None:
    """End every way into the account but its password, except the browser session `keep`
    (the one changing the password): the other browser sessions, every OAuth token, pending
    authorization codes, the Web Push subscriptions that belonged to those, and any password
    reset link. Commits, with whatever the caller changed (the new password), then closes the
    open streams of what ended, in every process."""
    account_id = user.account_id
    others = WebSession.user_id == user.id
    if keep is not None:
        others = others & (WebSession.id != keep)
    live_tokens = (OAuthToken.account_id == account_id, OAuthToken.revoked_at.is_(None))
    session_ids = list(db.session.scalars(select(WebSession.id).where(others)))
    token_ids = list(db.session.scalars(select(OAuthToken.id).where(*live_tokens)))
    push = PushSubscription.account_id == account_id
    if keep is not None:  # only the kept browser's own subscription stays
        push = push & or_(
            PushSubscription.web_session_id.is_(None), PushSubscription.web_session_id != keep
        )
    for statement in (
        delete(PushSubscription).where(push),
        delete(WebSession).where(others),
        update(OAuthToken).where(*live_tokens).values(revoked_at=utcnow()),
        delete(OAuthAuthorizationCode).where(OAuthAuthorizationCode.account_id == account_id),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    user.reset_password_token = None
    user.reset_password_sent_at = None
    db.session.commit()
    for session_id in session_ids:
        channels.publish_web_session_kill(session_id)
    for token_id in token_ids:
        channels.publish_kill(token_id)


def prune_idle() -> int:
    """Delete sessions unused for longer than a cookie lives; returns how many went."""
    result = db.session.execute(
        delete(WebSession).where(WebSession.last_used_at < utcnow() - IDLE_LIFETIME - TOUCH_EVERY)
    )
    db.session.commit()
    return result.rowcount or 0
