"""GET /api/v1/bookmarks: the statuses you bookmarked, newest bookmark first."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities
from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.http.json import json_response
from fedi.services import saved_statuses

bp = Blueprint("api_v1_bookmarks", __name__, url_prefix="/api/v1/bookmarks")


@bp.get("")
@require_oauth("read:bookmarks")
def index():
    viewer = current_account()
    pairs = saved_statuses.bookmarks(viewer, page_params())
    response = json_response(entities.statuses([s for _, s in pairs], viewer))
    return add_link_header(response, pairs, key=lambda pair: pair[0])
