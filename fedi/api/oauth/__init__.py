"""OAuth2 for client apps: authorize (HTML), token, revoke and the RFC 8414 metadata."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_oauth", __name__)


def _init_server(state) -> None:
    from fedi.api.oauth import server

    server.init_app(state.app)


bp.record_once(_init_server)

from fedi.api.oauth import authorize, endpoints  # noqa: E402,F401  (their routes live on `bp`)
