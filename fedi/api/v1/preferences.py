"""The signed-in user's preferences, as apps read them."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.http.json import json_response
from fedi.services import profiles

bp = Blueprint("api_v1_preferences", __name__, url_prefix="/api/v1/preferences")


@bp.get("")
@require_oauth("read:accounts")
def show():
    return json_response(profiles.preferences(current_account().user))
