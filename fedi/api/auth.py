"""Bearer tokens for the client API: who is calling and what they may do.

Every API request looks its token up once, as one narrow row (the token, its scopes and whether
its account may use the API): no ORM objects on the hot path. The ORM token and the viewer's
`Account` load on first use (`token_from_request()`, `current_account()`); read endpoints that
only need the viewer's id use `current_account_id()`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import request
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import defer, joinedload

from fedi.api import token_cache
from fedi.errors import DomainError, Forbidden, Unprocessable
from fedi.extensions import db
from fedi.models import Account, OAuthToken, User, utcnow
from fedi.services import scopes as scopes_mod

TOUCH_EVERY = timedelta(hours=1)


class Unauthorized(DomainError):
    status_code = 401


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


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.args.get("access_token") or request.form.get("access_token") or None


def token_info() -> TokenInfo | None:
    """The valid token this request carries, looked up once per request."""
    if not hasattr(request, "wren_token_info"):
        value = _bearer()
        request.wren_token_info = lookup(value) if value else None
    return request.wren_token_info


def lookup(value: str) -> TokenInfo | None:
    """The live token with this value, or None (unknown, revoked or expired); valid ones come
    from fedi/api/token_cache.py when checked in the last few seconds."""
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


def find_token(value: str) -> OAuthToken | None:
    """The live ORM token with this value, its account and login loaded (streaming uses it)."""
    info = lookup(value)
    return _token_row(info.id) if info is not None else None


def _token_row(token_id: int) -> OAuthToken | None:
    return db.session.get(
        OAuthToken,
        token_id,
        options=[
            joinedload(OAuthToken.account).options(
                defer(Account.private_key), defer(Account.public_key), joinedload(Account.user)
            )
        ],
    )


def token_from_request() -> OAuthToken | None:
    """The request's token as an ORM object (loaded on first use)."""
    info = token_info()
    if info is None:
        return None
    if not hasattr(request, "wren_token"):
        request.wren_token = _token_row(info.id)
    return request.wren_token


def _check_account(info: TokenInfo) -> int:
    if info.account_id is None:
        raise Unprocessable("This method requires an authenticated user")
    if info.problem:
        raise Forbidden(info.problem)
    return info.account_id


def read_only(view: Callable) -> Callable:
    """For endpoints that only read (put it above the oauth decorator): their statements run
    without a transaction, saving the BEGIN and ROLLBACK round trips. Under READ COMMITTED each
    statement sees its own snapshot either way; the token's hourly touch commits by itself."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if db.session().get_transaction() is None:  # else something already read: keep it
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    return wrapper


def require_oauth(*required: str, user: bool = True) -> Callable:
    """The route needs a token with one of `required` scopes (and, by default, a user)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            info = token_info()
            if info is None:
                raise Unauthorized("The access token is invalid")
            if not info.may(required):
                raise Forbidden("This action is outside the authorized scopes")
            request.wren_account_id = _check_account(info) if user else info.account_id
            return view(*args, **kwargs)

        return wrapper

    return decorator


def optional_oauth(*required: str) -> Callable:
    """Anyone may call; a valid token with the scope makes the caller the viewer."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            info = token_info()
            request.wren_account_id = None
            if info is not None:
                if not info.may(required):
                    raise Forbidden("This action is outside the authorized scopes")
                if info.account_id is not None:
                    request.wren_account_id = _check_account(info)
            elif _bearer():
                raise Unauthorized("The access token is invalid")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_account_id() -> int | None:
    """The calling account's id (after `require_oauth` or `optional_oauth`), without loading it."""
    return getattr(request, "wren_account_id", None)


def current_account() -> Account:
    """The calling account (after `require_oauth`), loaded on first use."""
    if not hasattr(request, "wren_account"):
        account_id = current_account_id()
        request.wren_account = (
            db.session.get(
                Account,
                account_id,
                options=[
                    defer(Account.private_key),
                    defer(Account.public_key),
                    joinedload(Account.user),
                ],
            )
            if account_id is not None
            else None
        )
    return request.wren_account


def viewer() -> Account | None:
    """The calling account, or None for anonymous calls (after `optional_oauth`)."""
    return current_account() if current_account_id() is not None else None
