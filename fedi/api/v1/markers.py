"""Read markers: GET and POST /api/v1/markers."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.entities.marker import markers as markers_entity
from fedi.http.json import json_response
from fedi.services import markers

bp = Blueprint("api_v1_markers", __name__, url_prefix="/api/v1/markers")


@bp.get("")
@require_oauth("read:statuses")
def index():
    found = markers.get_markers(current_account(), [str(t) for t in params().list("timeline")])
    return json_response(markers_entity(found))


@bp.post("")
@require_oauth("write:statuses")
def create():
    p = params()
    values = {t: p.dict(t) for t in markers.TIMELINES if t in p}
    return json_response(markers_entity(markers.save_markers(current_account(), values)))
