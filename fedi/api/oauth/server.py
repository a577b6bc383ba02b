"""The Authlib authorization server, adapted to our models and to Mastodon's behaviour.

Authlib runs the protocol (grant types, client authentication, PKCE); we supply storage through
fedi.services.oauth, Mastodon's scope rules, and Doorkeeper's error texts and status codes so that
clients see what a Mastodon server would answer.
"""

from __future__ import annotations

import re

import orjson
from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
)
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, current_app
from flask import request as flask_request
from werkzeug.datastructures import MultiDict

from fedi.extensions import db
from fedi.http.client_address import client_ip
from fedi.models import Account, OAuthApplication, OAuthAuthorizationCode, OAuthToken, User
from fedi.services import accounts
from fedi.services import oauth as oauth_service
from fedi.services import scopes as scope_rules

# Doorkeeper's wording (what Mastodon answers), keyed by OAuth error code.
DESCRIPTIONS = {
    "invalid_request": "The request is missing a required parameter, includes an unsupported "
    "parameter value, or is otherwise malformed.",
    "invalid_client": "Client authentication failed due to unknown client, no client "
    "authentication included, or unsupported authentication method.",
    "invalid_grant": "The provided authorization grant is invalid, expired, revoked, does not "
    "match the redirection URI used in the authorization request, or was issued to another "
    "client.",
    "unauthorized_client": "The client is not authorized to perform this request using this "
    "method.",
    "unsupported_grant_type": "The authorization grant type is not supported by the "
    "authorization server.",
    "unsupported_response_type": "The authorization server does not support this response type.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed.",
    "access_denied": "The resource owner or authorization server denied the request.",
}
BAD_REDIRECT_URI = "The requested redirect uri is malformed or doesn't match client redirect URI."
REVOKE_FORBIDDEN = "You are not authorized to revoke this token"
_MISSING = re.compile(r"Missing '(\w+)'")
NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


# --- requests: form, query string and JSON bodies alike ------------------------------------


def _request_data() -> MultiDict:
    data = MultiDict(flask_request.args)
    for key, values in flask_request.form.lists():
        data.setlist(key, values)
    body = flask_request.get_json(silent=True) if flask_request.is_json else None
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "scope" and isinstance(value, list):
                value = " ".join(str(v) for v in value)
            if isinstance(value, str):
                data[key] = value
            elif isinstance(value, (bool, int, float)):
                data[key] = str(value).lower()
    return data


class _Payload(OAuth2Payload):
    def __init__(self, data: MultiDict) -> None:
        self._data = data

    @property
    def data(self) -> MultiDict:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {key: self._data.getlist(key) for key in self._data}


class WrenRequest(OAuth2Request):
    """Authlib's request over Flask's, with one merged view of query, form and JSON parameters.
    The URI is our configured base URL: TLS is terminated by the proxy in front of us."""

    def __init__(self) -> None:
        settings = current_app.config["FEDI"]
        uri = settings.base_url + flask_request.full_path.rstrip("?")
        super().__init__(flask_request.method, uri, headers=flask_request.headers)
        self.payload = _Payload(_request_data())

    @property
    def args(self) -> MultiDict:
        return self.payload.data

    @property
    def form(self) -> MultiDict:
        return self.payload.data


# --- grants -------------------------------------------------------------------------------


class _MastodonScopes:
    """Scopes must be known and within the app's registration; none requested means `read`."""

    request: OAuth2Request

    def validate_requested_scope(self) -> None:
        requested = scope_rules.parse(self.request.payload.scope)
        if not oauth_service.check_scopes(requested, self.request.client):
            raise InvalidScopeError()
        self.request.scope = " ".join(requested)


class _DirectScopes(_MastodonScopes):
    """Grants issuing tokens straight away use the validated scope, not the raw parameter."""

    def generate_token(self, **kwargs):
        kwargs["scope"] = self.request.scope
        return super().generate_token(**kwargs)


class AuthorizationCodeGrant(_MastodonScopes, grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        oauth_service.save_code(
            code=code,
            application=request.client,
            account_id=request.user.account_id,
            redirect_uri=request.payload.redirect_uri or "",
            scopes=request.scope,
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: OAuthApplication):
        return oauth_service.find_code(code, client)

    def delete_authorization_code(self, authorization_code: OAuthAuthorizationCode) -> None:
        """Nothing left to do: `authenticate_user` marked the code used, atomically."""

    def authenticate_user(self, authorization_code: OAuthAuthorizationCode) -> User | None:
        if not oauth_service.claim_code(authorization_code):
            raise InvalidGrantError()
        account = db.session.get(Account, authorization_code.account_id)
        user = account.user if account is not None else None
        return user if user is not None and user.can_sign_in else None


class ClientCredentialsGrant(_DirectScopes, grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class PasswordGrant(_DirectScopes, grants.ResourceOwnerPasswordCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def authenticate_user(self, username: str, password: str) -> User:
        user = accounts.authenticate(login=username, password=password, client_address=client_ip())
        if user is None or user.two_factor_enabled:  # a code cannot be asked here (as Mastodon)
            raise InvalidGrantError()
        return user


# --- revocation ---------------------------------------------------------------------------


class Revocation(RevocationEndpoint):
    """Doorkeeper's revocation: an unknown token is fine (200), a token of another client or no
    client authentication is refused with 403 `unauthorized_client`."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def create_endpoint_response(self, request: OAuth2Request):
        try:
            client = self.authenticate_endpoint_client(request)
        except InvalidClientError:
            return _revoke_forbidden()
        token = self.query_token(request.form.get("token"), None)
        if token is None:
            return 200, {}, NO_STORE
        if not token.check_client(client):
            return _revoke_forbidden()
        self.revoke_token(token, request)
        return 200, {}, NO_STORE

    def query_token(self, token_string: str | None, token_type_hint: str | None):
        return oauth_service.find_token(token_string)

    def revoke_token(self, token: OAuthToken, request: OAuth2Request) -> None:
        oauth_service.revoke_token(token)


def _revoke_forbidden():
    body = {"error": "unauthorized_client", "error_description": REVOKE_FORBIDDEN}
    return 403, body, NO_STORE


# --- the server ---------------------------------------------------------------------------


def _token(grant_type, client, user=None, scope=None, expires_in=None, **_kwargs) -> dict:
    return {"access_token": generate_token(43), "token_type": "Bearer", "scope": scope or "read"}


class WrenAuthorizationServer(AuthorizationServer):
    def create_oauth2_request(self, request) -> WrenRequest:
        return WrenRequest()

    def handle_response(self, status_code: int, payload, headers) -> Response:
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        if isinstance(payload, dict):
            return Response(orjson.dumps(payload), status_code, headers, "application/json")
        return Response(payload, status_code, headers)

    def handle_error_response(self, request, error: OAuth2Error) -> Response:
        described(error)
        return super().handle_error_response(request, error)

    def create_token_response(self, request=None) -> Response:
        if not self.create_oauth2_request(request).payload.grant_type:
            missing = InvalidRequestError("Missing 'grant_type' in request.")
            return self.handle_error_response(None, missing)
        return super().create_token_response(request)

    def send_signal(self, name, *args, **kwargs) -> None:
        """No Flask signals: nothing here listens to them."""


def described(error: OAuth2Error) -> OAuth2Error:
    """Give the error Doorkeeper's description (and status: a failed client is always 401)."""
    if error.error == "unsupported_response_type" and not flask_request.values.get("response_type"):
        error.error, error.description = "invalid_request", "Missing 'response_type'"
    if error.error == "invalid_request" and "Redirect URI" in (error.description or ""):
        error.error, error.description = "invalid_redirect_uri", BAD_REDIRECT_URI
    elif error.error == "invalid_request":
        match = _MISSING.search(error.description or "")
        error.description = (
            f"Missing required parameter: {match.group(1)}."
            if match
            else DESCRIPTIONS["invalid_request"]
        )
    elif error.error in DESCRIPTIONS:
        error.description = DESCRIPTIONS[error.error]
    if error.error == "invalid_client" and flask_request.path.startswith("/oauth/token"):
        error.status_code = 401
    return error


def _save_token(token: dict, request: OAuth2Request) -> None:
    user: User | None = request.user
    row = oauth_service.issue_token(
        application=request.client,
        account_id=user.account_id if user is not None else None,
        scopes=token["scope"],
        value=token["access_token"],
    )
    token["created_at"] = int(row.created_at.timestamp())


def init_app(app: Flask) -> None:
    """One server per app (tests build several apps in one process)."""
    server = WrenAuthorizationServer()
    server.init_app(app, query_client=oauth_service.find_application, save_token=_save_token)
    server.register_token_generator("default", _token)
    server.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(PasswordGrant)
    server.register_endpoint(Revocation)
    app.extensions["wren_oauth_server"] = server


def get_server() -> WrenAuthorizationServer:
    return current_app.extensions["wren_oauth_server"]
