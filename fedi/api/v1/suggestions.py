"""Follow suggestions (v1: plain accounts) and dismissing one."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import page_params
from fedi.api.v1.accounts_common import accounts_json
from fedi.http.json import json_response
from fedi.services import suggestions

bp = Blueprint("api_v1_suggestions", __name__, url_prefix="/api/v1/suggestions")


@bp.get("")
@require_oauth("read", "read:accounts")
def index():
    limit = page_params(default=40, maximum=80).limit
    return json_response(accounts_json(suggestions.suggest(current_account(), limit=limit)))


@bp.delete("/<account_id>")
@require_oauth("read", "write:accounts")
def dismiss(account_id: str):
    suggestions.dismiss(current_account(), account_id)
    return json_response({})
