"""Direct-message conversations: list, mark read, remove."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.entities.conversation import conversation, conversations
from fedi.http.json import json_response
from fedi.services import conversations as service

bp = Blueprint("api_v1_conversations", __name__, url_prefix="/api/v1/conversations")


@bp.get("")
@require_oauth("read:statuses")
def index():
    """Most recent first; pages (and Link headers) go by each conversation's last status id."""
    viewer = current_account()
    rows = service.page(viewer, page_params())
    response = json_response(conversations(rows, viewer))
    return add_link_header(response, rows, key=lambda r: r.last_status_id)


@bp.post("/<conversation_id>/read")
@require_oauth("write:conversations")
def read(conversation_id: str):
    viewer = current_account()
    row = service.mark_read(service.get_owned(conversation_id, viewer))
    return json_response(conversation(row, viewer))


@bp.delete("/<conversation_id>")
@require_oauth("write:conversations")
def destroy(conversation_id: str):
    service.remove(service.get_owned(conversation_id, current_account()))
    return json_response({})
