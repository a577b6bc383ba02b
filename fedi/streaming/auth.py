"""Who is connecting to the streaming API: the token, from where Mastodon's clients put it.

Every stream needs a valid user token (Mastodon's streaming server has no anonymous access).
"""

from __future__ import annotations

from flask import request

from fedi.hub.streams import AuthenticationError, Viewer
from fedi.services import scopes as scopes_mod
from fedi.services.tokens import find_live_token


def offered_protocol() -> str | None:
    """The first WebSocket subprotocol the client offered (Mastodon apps put the token there)."""
    first = request.headers.get("Sec-WebSocket-Protocol", "").split(",")[0].strip()
    return first or None


def token_value() -> str | None:
    """Mastodon's order: the Authorization header, else `access_token`, else the subprotocol."""
    header = request.headers.get("Authorization")
    if header:
        return (header[7:] if header[:7].lower() == "bearer " else header).strip() or None
    return request.args.get("access_token") or offered_protocol()


def authenticate(value: str | None) -> Viewer:
    if not value:
        raise AuthenticationError("Missing access token")
    token = find_live_token(value)
    account = token.account if token is not None else None
    user = account.user if account is not None else None
    if (
        token is None
        or account is None
        or user is None
        or account.suspended_at is not None
        or user.disabled
        or not user.approved
        or user.confirmed_at is None
    ):
        raise AuthenticationError("Invalid access token")
    return Viewer(account.id, token.id, frozenset(scopes_mod.parse(token.scopes)))
