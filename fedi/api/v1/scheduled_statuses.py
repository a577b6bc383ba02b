"""Scheduled statuses: list, show, move to another time, cancel (posting one with
`scheduled_at` is `POST /api/v1/statuses`)."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.scheduled_status import scheduled_status
from fedi.http.json import json_response
from fedi.models import ScheduledStatus
from fedi.services import scheduled_statuses as scheduled

bp = Blueprint("api_v1_scheduled_statuses", __name__, url_prefix="/api/v1/scheduled_statuses")


def one(row: ScheduledStatus):
    return json_response(scheduled_status(row, scheduled.media_of([row])[row.id]))


@bp.get("")
@require_oauth("read:statuses")
def index():
    rows = scheduled.page(current_account(), page_params(default=20, maximum=40))
    media = scheduled.media_of(rows)
    response = json_response([scheduled_status(row, media[row.id]) for row in rows])
    return add_link_header(response, rows)


@bp.get("/<scheduled_id>")
@require_oauth("read:statuses")
def show(scheduled_id: str):
    return one(scheduled.get_own(scheduled_id, current_account()))


@bp.put("/<scheduled_id>")
@require_oauth("write:statuses")
def update(scheduled_id: str):
    row = scheduled.get_own(scheduled_id, current_account())
    return one(scheduled.reschedule(row, scheduled.parse_time(params().get("scheduled_at"))))


@bp.delete("/<scheduled_id>")
@require_oauth("write:statuses")
def destroy(scheduled_id: str):
    scheduled.cancel(scheduled.get_own(scheduled_id, current_account()))
    return json_response({})
