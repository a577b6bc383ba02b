"""Bearer tokens for the client API: who is calling and what they may do."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from fedi.api import scopes as scopes_mod
from fedi.errors import DomainError, Forbidden, Unprocessable
from fedi.extensions import db
from fedi.models import Account, OAuthToken, User, utcnow

TOUCH_EVERY = timedelta(hours=1)


class Unauthorized(DomainError):
    status_code = 401


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.args.get("access_token") or request.form.get("access_token") or None


def token_from_request() -> OAuthToken | None:
    """The valid token this request carries, looked up once per request."""
    if not hasattr(request, "wren_token"):
        value = _bearer()
        request.wren_token = find_token(value) if value else None
    return request.wren_token


def find_token(value: str) -> OAuthToken | None:
    token = db.session.scalar(
        select(OAuthToken)
        .where(OAuthToken.access_token == value, OAuthToken.revoked_at.is_(None))
        .options(
            # The viewer and their login in the same query, without the signing keys; the
            # application loads on first use (few endpoints need it).
            joinedload(OAuthToken.account).options(
                defer(Account.private_key), defer(Account.public_key), joinedload(Account.user)
            ),
        )
    )
    if token is None:
        return None
    if token.expires_in and token.created_at + timedelta(seconds=token.expires_in) < utcnow():
        return None
    if token.last_used_at is None or utcnow() - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = utcnow()
        db.session.commit()
    return token


def _check_account(token: OAuthToken) -> Account:
    account = token.account
    if account is None:
        raise Unprocessable("This method requires an authenticated user")
    user: User | None = account.user
    if account.suspended_at is not None or user is None or user.disabled:
        raise Forbidden("Your login is currently disabled")
    if not user.approved:
        raise Forbidden("Your login is currently pending approval")
    if user.confirmed_at is None:
        raise Forbidden("Your login is missing a confirmed e-mail address")
    return account


def require_oauth(*required: str, user: bool = True) -> Callable:
    """The route needs a token with one of `required` scopes (and, by default, a user)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            token = token_from_request()
            if token is None:
                raise Unauthorized("The access token is invalid")
            granted = frozenset(scopes_mod.parse(token.scopes))
            if required and not any(scopes_mod.covers(granted, s) for s in required):
                raise Forbidden("This action is outside the authorized scopes")
            request.wren_account = _check_account(token) if user else token.account
            return view(*args, **kwargs)

        return wrapper

    return decorator


def optional_oauth(*required: str) -> Callable:
    """Anyone may call; a valid token with the scope makes the caller the viewer."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            token = token_from_request()
            request.wren_account = None
            if token is not None:
                granted = frozenset(scopes_mod.parse(token.scopes))
                if required and not any(scopes_mod.covers(granted, s) for s in required):
                    raise Forbidden("This action is outside the authorized scopes")
                if token.account is not None:
                    request.wren_account = _check_account(token)
            elif _bearer():
                raise Unauthorized("The access token is invalid")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_account() -> Account:
    """The calling account (after `require_oauth`)."""
    return request.wren_account


def viewer() -> Account | None:
    """The calling account, or None for anonymous calls (after `optional_oauth`)."""
    return getattr(request, "wren_account", None)
