"""Finding a live bearer token by its value: the client API checks every request's token here,
and the streaming API its connection's.

A lookup reads one narrow row (the token, its scopes and whether its account may use the API),
no ORM objects; valid tokens are kept for a few seconds per process (fedi/services/token_cache.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import defer, joinedload

from fedi.extensions import db
from fedi.models import Account, OAuthToken, User, utcnow
from fedi.services import scopes as scopes_mod
from fedi.services import token_cache

TOUCH_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A live token as the API checks it."""

    id: int
    account_id: int | None
    application_id: int | None
    scopes: frozenset[str]
    problem: str | None  # why its account may not use the API now, if it may not

    def may(self, required: tuple[str, ...]) -> bool:
        return not required or any(scopes_mod.covers(self.scopes, s) for s in required)


_T, _A, _U = OAuthToken.__table__.c, Account.__table__.c, User.__table__.c
# Table columns and a bound parameter: built once, no ORM compile or loading per request.
_TOKEN_QUERY = (
    select(
        _T.id,
        _T.account_id,
        _T.application_id,
        _T.scopes,
        _T.expires_in,
        _T.created_at,
        _T.last_used_at,
        _A.suspended_at,
        _U.id.label("user_id"),
        _U.disabled,
        _U.approved,
        _U.confirmed_at,
    )
    .select_from(
        OAuthToken.__table__.outerjoin(Account.__table__, _A.id == _T.account_id).outerjoin(
            User.__table__, _U.account_id == _A.id
        )
    )
    .where(_T.access_token == bindparam("value"), _T.revoked_at.is_(None))
)


def lookup(value: str) -> TokenInfo | None:
    """The live token with this value, or None (unknown, revoked or expired); valid ones come
    from fedi/services/token_cache.py when checked in the last few seconds."""
    info = token_cache.cache.get(value)
    if info is not None:
        return info
    row = db.session.execute(_TOKEN_QUERY, {"value": value}).first()
    if row is None:
        return None
    now = utcnow()
    valid_for = None
    if row.expires_in:
        valid_for = (row.created_at + timedelta(seconds=row.expires_in) - now).total_seconds()
        if valid_for <= 0:
            return None
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        _touch(row.id, now)
    info = TokenInfo(
        id=row.id,
        account_id=row.account_id,
        application_id=row.application_id,
        scopes=frozenset(scopes_mod.parse(row.scopes)),
        problem=_problem(row) if row.account_id is not None else None,
    )
    token_cache.cache.put(value, info, ttl=valid_for)  # not past the token's own expiry
    return info


def _touch(token_id: int, now: datetime) -> None:
    db.session.execute(update(OAuthToken).where(OAuthToken.id == token_id).values(last_used_at=now))
    db.session.commit()


def _problem(row: Any) -> str | None:
    if row.suspended_at is not None or row.user_id is None or row.disabled:
        return "Your login is currently disabled"
    if not row.approved:
        return "Your login is currently pending approval"
    if row.confirmed_at is None:
        return "Your login is missing a confirmed e-mail address"
    return None


def find_live_token(value: str) -> OAuthToken | None:
    """The live ORM token with this value, its account and login loaded (streaming uses it)."""
    info = lookup(value)
    return token_row(info.id) if info is not None else None


def token_row(token_id: int) -> OAuthToken | None:
    """The ORM token, its account (without the keys) and login loaded."""
    return db.session.get(
        OAuthToken,
        token_id,
        options=[
            joinedload(OAuthToken.account).options(
                defer(Account.private_key), defer(Account.public_key), joinedload(Account.user)
            )
        ],
    )
