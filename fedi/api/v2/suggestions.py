"""GET /api/v2/suggestions: accounts to follow, with why each is suggested."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import page_params
from fedi.api.v1.accounts_common import accounts_json
from fedi.http.json import json_response
from fedi.services import suggestions

bp = Blueprint("api_v2_suggestions", __name__, url_prefix="/api/v2/suggestions")


@bp.get("")
@require_oauth("read", "read:accounts")
def index():
    """Every suggestion is one of the most followed local accounts (`global`, `most_followed`)."""
    limit = page_params(default=40, maximum=80).limit
    found = accounts_json(suggestions.suggest(current_account(), limit=limit))
    return json_response(
        [{"source": "global", "sources": ["most_followed"], "account": a} for a in found]
    )
