"""POST /api/v1/apps (register a client) and GET /api/v1/apps/verify_credentials."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from fedi.api.auth import Unauthorized, require_oauth, token_from_request
from fedi.api.params import params
from fedi.http.json import json_response
from fedi.models import OAuthApplication
from fedi.services import oauth, push, scopes

bp = Blueprint("api_v1_apps", __name__, url_prefix="/api/v1/apps")


def application(app: OAuthApplication) -> dict[str, Any]:
    """Mastodon's Application entity (`redirect_uri` and `vapid_key` kept for older clients)."""
    return {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": app.scope_list,
        "redirect_uri": app.redirect_uris,
        "redirect_uris": app.redirect_uri_list,
        "vapid_key": push.public_key(),
    }


def credential_application(app: OAuthApplication) -> dict[str, Any]:
    """CredentialApplication: the Application plus the client credentials."""
    return {
        **application(app),
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "client_secret_expires_at": 0,
    }


@bp.post("")
def create():
    p = params()
    raw_uris = p.get("redirect_uris")
    redirect_uris = oauth.split_redirect_uris(
        p.list("redirect_uris") if isinstance(raw_uris, (list, dict)) else p.str("redirect_uris")
    )
    raw_scopes = p.get("scopes")
    app = oauth.create_application(
        name=p.str("client_name"),
        redirect_uris=redirect_uris,
        scopes=scopes.parse(p.list("scopes") if isinstance(raw_scopes, list) else p.str("scopes")),
        website=p.str("website"),
    )
    return json_response(credential_application(app))


@bp.get("/verify_credentials")
@require_oauth(user=False)
def verify_credentials():
    """Any live token will do, an app's own or a user's (Mastodon 4.3)."""
    token = token_from_request()
    if token is None or token.application is None:
        raise Unauthorized("The access token is invalid")
    return json_response(application(token.application))
