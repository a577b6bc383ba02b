"""GET /api/v2/suggestions: accounts to follow, with why each is suggested."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities
from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import page_params
from fedi.http.json import json_response
from fedi.services import suggestions

bp = Blueprint("api_v2_suggestions", __name__, url_prefix="/api/v2/suggestions")


@bp.get("")
@require_oauth("read", "read:accounts")
def index():
    """Every suggestion is one of the most followed local accounts (`global`, `most_followed`)."""
    limit = page_params(default=40, maximum=80).limit
    return json_response(
        [
            {"source": "global", "sources": ["most_followed"], "account": entities.account(a)}
            for a in suggestions.suggest(current_account(), limit=limit)
        ]
    )
