"""POST /oauth/token, POST /oauth/revoke and GET /.well-known/oauth-authorization-server."""

from __future__ import annotations

from authlib.oauth2.rfc6749.errors import InsecureTransportError
from flask import current_app, request

from fedi.api.oauth import bp
from fedi.api.oauth.server import get_server
from fedi.http.json import json_response
from fedi.services import scopes


@bp.post("/oauth/token")
def token():
    return get_server().create_token_response()


@bp.post("/oauth/revoke")
def revoke():
    return get_server().create_endpoint_response("revocation")


@bp.get("/.well-known/oauth-authorization-server")
def metadata():
    """RFC 8414 metadata, as Mastodon 4.3 serves it (less what we do not implement)."""
    base = current_app.config["FEDI"].base_url
    body = {
        "issuer": f"{base}/",
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "app_registration_endpoint": f"{base}/api/v1/apps",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": _scopes_supported(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }
    return json_response(body, headers={"Access-Control-Allow-Origin": "*"})


@bp.after_request
def _cors_preflight(response):
    """Browser apps (Elk, Phanpy...) call the token endpoints cross-origin, with JSON bodies."""
    if request.method == "OPTIONS" and request.path.startswith(("/oauth/token", "/oauth/revoke")):
        asked = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = asked or "Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "7200"
    return response


def _scopes_supported() -> list[str]:
    broad = ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"]
    return broad + sorted(scopes.ALL - set(broad))


@bp.errorhandler(InsecureTransportError)
def _insecure(error: InsecureTransportError):
    """OAuth over plain HTTP is refused except on loopback addresses (LOCAL_HTTPS off)."""
    body = {"error": error.error, "error_description": error.description}
    if request.path.startswith("/oauth/authorize"):
        from fedi.api.oauth.authorize import page

        return page("oauth/error.html", 400, error=error.error, description=error.description)
    return json_response(body, 400)
