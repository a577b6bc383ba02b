"""GET/POST /oauth/authorize: sign in if needed, then consent, then a code by redirect (or
shown on a page for `urn:ietf:wg:oauth:2.0:oob`).

Like Mastodon, consent is skipped when the account already holds a live token of this app for
exactly these scopes, unless the app asks for `force_login`. A bad client, redirect URI or scope
gets an error page: we never redirect to a URI the app did not register.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Response, redirect, render_template, request, url_for

from fedi.api.oauth import bp, scope_labels
from fedi.api.oauth.server import described, get_server
from fedi.api.params import to_bool
from fedi.http import session as http_session
from fedi.models import User
from fedi.services import oauth as oauth_service

FORWARDED = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
             "code_challenge_method", "force_login", "lang")  # fmt: skip
PAGE_HEADERS = {
    "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, **context), status, mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response


def _error_page(error: OAuth2Error) -> Response:
    described(error)
    return page("oauth/error.html", 400, error=error.error, description=error.description)


def _authorize_url() -> str:
    """This authorization request as a GET URL (to come back to after signing in)."""
    params = [(k, request.values[k]) for k in FORWARDED if request.values.get(k)]
    return f"{url_for('api_oauth.authorize')}?{urlencode(params)}"


def _needs_sign_in(user: User | None) -> bool:
    """Signed out, or `force_login` and this session did not just sign in on its way here."""
    just_signed_in = http_session.pop_oauth_login()
    if user is None:
        return True
    return to_bool(request.values.get("force_login"), False) and not just_signed_in


def _sign_in_redirect() -> Response:
    return redirect(url_for("web_auth.sign_in_form", next=_authorize_url()), 303)


def _issue(grant, user: User) -> Response:
    """The code, delivered by redirect, or on our own page for the out-of-band URI."""
    response = get_server().create_authorization_response(grant=grant, grant_user=user)
    if grant.redirect_uri == oauth_service.OOB and response.status_code == 302:
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        if "code" not in query:
            error = query.get("error", ["invalid_request"])[0]
            description = query.get("error_description", [""])[0]
            return page("oauth/error.html", 400, error=error, description=description)
        return redirect(url_for("api_oauth.native", code=query["code"][0]), 303)
    response.headers.update(PAGE_HEADERS)
    return response


@bp.get("/oauth/authorize")
def authorize():
    user = http_session.current_user()
    try:
        grant = get_server().get_consent_grant(end_user=user)
    except OAuth2Error as error:
        return _error_page(error)
    if _needs_sign_in(user):
        return _sign_in_redirect()
    client, scopes = grant.request.client, grant.request.scope
    force = to_bool(request.values.get("force_login"), False)
    if not force and oauth_service.has_matching_token(client, user.account, scopes):
        return _issue(grant, user)
    fields = {k: request.values[k] for k in FORWARDED if request.values.get(k)}
    fields["scope"] = scopes
    fields.pop("force_login", None)
    return page(
        "oauth/authorize.html",
        application=client,
        scopes=scope_labels.describe(scopes.split()),
        account=user.account,
        fields=fields,
        sign_out_next=_authorize_url(),
    )


@bp.post("/oauth/authorize")
def decide():
    user = http_session.current_user()
    try:
        grant = get_server().get_consent_grant(end_user=user)
    except OAuth2Error as error:
        return _error_page(error)
    if user is None:
        return _sign_in_redirect()
    if request.form.get("decision") != "authorize":
        return _deny(grant)
    return _issue(grant, user)


def _deny(grant) -> Response:
    if grant.redirect_uri == oauth_service.OOB:
        description = described(OAuth2Error(error="access_denied")).description
        return page("oauth/error.html", 403, error="access_denied", description=description)
    response = get_server().create_authorization_response(grant=grant, grant_user=None)
    response.headers.update(PAGE_HEADERS)
    return response


@bp.get("/oauth/authorize/native")
def native():
    """The out-of-band page: the code to copy into the app."""
    code = request.args.get("code", "")
    return page("oauth/code.html", code=code)
