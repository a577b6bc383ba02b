"""Bearer tokens for the client API: who is calling and what they may do.

Every API request looks its token up once (fedi/services/tokens.py: one narrow row, no ORM
objects on the hot path). The ORM token and the viewer's `Account` load on first use
(`token_from_request()`, `current_account()`); read endpoints that only need the viewer's id use
`current_account_id()`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import request
from sqlalchemy.orm import defer, joinedload

from fedi.errors import DomainError, Forbidden, Unprocessable
from fedi.extensions import db
from fedi.http.client_address import client_ip
from fedi.models import Account, OAuthToken
from fedi.services import sign_up_blocks, staff, tokens
from fedi.services.staff import Permission
from fedi.services.tokens import TokenInfo


class Unauthorized(DomainError):
    status_code = 401


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.args.get("access_token") or request.form.get("access_token") or None


def token_info() -> TokenInfo | None:
    """The valid token this request carries, looked up once per request."""
    if not hasattr(request, "wren_token_info"):
        if sign_up_blocks.access_denied(client_ip()):  # an IP block of `no_access`
            raise Forbidden("This action is not allowed")
        value = _bearer()
        request.wren_token_info = tokens.lookup(value) if value else None
    return request.wren_token_info


def token_from_request() -> OAuthToken | None:
    """The request's token as an ORM object (loaded on first use)."""
    info = token_info()
    if info is None:
        return None
    if not hasattr(request, "wren_token"):
        request.wren_token = tokens.token_row(info.id)
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


def require_staff(scope: str, permission: Permission) -> Callable:
    """An admin API route: a token with `scope` (401/403 as `require_oauth`), whose user holds
    the staff `permission` (else Mastodon's 403 "This action is not allowed")."""

    def decorator(view: Callable) -> Callable:
        @require_oauth(scope)
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            staff.require(current_account(), permission)
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
