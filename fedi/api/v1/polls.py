"""Polls: read one (GET /api/v1/polls/:id) and vote (POST /api/v1/polls/:id/votes)."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, current_account_id, optional_oauth, require_oauth
from fedi.api.auth import viewer as api_viewer
from fedi.api.params import params
from fedi.entities.poll import poll as poll_entity
from fedi.http.json import json_response
from fedi.models import Poll
from fedi.services import polls

bp = Blueprint("api_v1_polls", __name__, url_prefix="/api/v1/polls")


def _render(poll: Poll):
    viewer_id = current_account_id()
    return json_response(poll_entity(poll, viewer_id, polls.own_votes(poll, viewer_id)))


@bp.get("/<int:poll_id>")
@optional_oauth("read:statuses")
def show(poll_id: int):
    """404 unless the viewer may see the poll's status."""
    poll, _status = polls.get_visible(poll_id, api_viewer())
    return _render(poll)


@bp.post("/<int:poll_id>/votes")
@require_oauth("write:statuses")
def vote(poll_id: int):
    poll = polls.vote(poll_id=poll_id, account=current_account(), choices=params().list("choices"))
    return _render(poll)
