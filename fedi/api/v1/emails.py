"""POST /api/v1/emails/confirmations: the confirmation e-mail again (Mastodon 3.4), for a login
that signed up through this app and has not confirmed its address yet."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth, token_info
from fedi.api.params import params
from fedi.errors import Unprocessable
from fedi.http.client_address import client_ip
from fedi.http.json import json_response
from fedi.services import registrations

bp = Blueprint("api_v1_emails", __name__, url_prefix="/api/v1/emails")


@bp.post("/confirmations")
@require_oauth("write:accounts", user=False)  # an unconfirmed login's token is what calls here
def confirmations():
    info = token_info()
    account = current_account()
    if info is None or account is None or account.user is None:
        raise Unprocessable("This method requires an authenticated user")
    p = params()
    registrations.resend_through_app(
        user=account.user, application_id=info.application_id,
        email=p.str("email", "") if "email" in p else None, client_address=client_ip(),
    )  # fmt: skip
    return json_response({})
