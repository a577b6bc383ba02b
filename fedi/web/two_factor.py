"""Settings → Two-factor: turn TOTP sign-in on (QR code, then a code and the password), see how
many recovery codes are left, make new ones, or turn it off. Plain forms; the QR code is an SVG
drawn on the server. When REQUIRE_STAFF_TWO_FACTOR is set, moderators and admins without it are
sent here from every other page (the OAuth authorize page included) until it is on."""

from __future__ import annotations

import segno
from flask import Blueprint, redirect, request, session, url_for

from fedi.errors import DomainError, retry_headers
from fedi.http import session as http_session
from fedi.http.client_address import client_ip
from fedi.services import two_factor
from fedi.web.render import render_page
from fedi.web.signed_in import login_required

bp = Blueprint("web_two_factor", __name__, url_prefix="/settings/two_factor")

SETUP_KEY = "otp_setup"  # the new secret, encrypted, until a code made with it confirms it
# Where staff who must turn it on may still go: this page, signing in and out, the app shell.
GATE_EXEMPT = frozenset({"web_two_factor", "web_auth", "web_health", "web_pwa", "web_password"})
GATE_ENDPOINTS = frozenset({"api_oauth.authorize", "api_oauth.decide"})


def _page(http_status: int = 200, **context):
    user = http_session.current_user()
    secret = two_factor.unseal(session.get(SETUP_KEY)) if not user.two_factor_enabled else None
    qr = None
    if secret:
        uri = two_factor.provisioning_uri(user, secret)
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
    context.setdefault("error", None)
    context.setdefault("codes", None)
    return render_page(
        "settings/two_factor.html", http_status=http_status, user=user, secret=secret, qr=qr,
        codes_left=two_factor.recovery_codes_left(user),
        required=two_factor.setup_required(user), done=request.args.get("done", ""),
        **context,
    )  # fmt: skip


def _failed(err: DomainError):
    message = err.message.removeprefix("Validation failed: ")
    page = _page(err.status_code, error=message)
    page.headers.update(retry_headers(err))
    return page


@bp.get("")
@login_required
def show():
    return _page()


@bp.post("/setup")
@login_required
def setup():
    """A new secret for this browser to confirm; asking again replaces it."""
    if not http_session.current_user().two_factor_enabled:
        session[SETUP_KEY] = two_factor.seal(two_factor.new_secret())
    return redirect(url_for("web_two_factor.show"), 303)


@bp.post("/enable")
@login_required
def enable():
    user = http_session.current_user()
    secret = two_factor.unseal(session.get(SETUP_KEY))
    if secret is None:
        return redirect(url_for("web_two_factor.show"), 303)
    try:
        codes = two_factor.enable(
            user, secret=secret, code=request.form.get("code", ""),
            password=request.form.get("current_password", ""), client_address=client_ip(),
        )  # fmt: skip
    except DomainError as err:
        return _failed(err)
    session.pop(SETUP_KEY, None)
    return _page(codes=codes)


@bp.post("/recovery_codes")
@login_required
def recovery_codes():
    try:
        codes = two_factor.regenerate_recovery_codes(
            http_session.current_user(), password=request.form.get("current_password", ""),
            code=request.form.get("code", ""), client_address=client_ip(),
        )  # fmt: skip
    except DomainError as err:
        return _failed(err)
    return _page(codes=codes)


@bp.post("/disable")
@login_required
def disable():
    try:
        two_factor.disable(
            http_session.current_user(), password=request.form.get("current_password", ""),
            code=request.form.get("code", ""), client_address=client_ip(),
        )  # fmt: skip
    except DomainError as err:
        return _failed(err)
    return redirect(url_for("web_two_factor.show", done="disabled"), 303)


@bp.before_app_request
def _staff_gate():
    """Staff who must use two-factor sign-in and have not turned it on go to this page first."""
    if not (request.blueprint or "").startswith("web_") and request.endpoint not in GATE_ENDPOINTS:
        return None
    if request.blueprint in GATE_EXEMPT or not two_factor.required_for_staff():
        return None  # (checked before loading the signed-in user, which not every page does)
    if two_factor.setup_required(http_session.current_user()):
        return redirect(url_for("web_two_factor.show"), 303)
    return None
