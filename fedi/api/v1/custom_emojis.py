"""GET /api/v1/custom_emojis: this server's custom emoji (possibly none)."""

from __future__ import annotations

from flask import Blueprint

from fedi.entities.custom_emoji import custom_emoji
from fedi.http.json import json_response
from fedi.services import custom_emojis

bp = Blueprint("api_v1_custom_emojis", __name__, url_prefix="/api/v1/custom_emojis")


@bp.get("")
def index():
    return json_response([custom_emoji(e) for e in custom_emojis.listed()])
