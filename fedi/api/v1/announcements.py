"""Announcements: the active ones, dismissing, and emoji reactions."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.entities.announcement import announcement
from fedi.http.json import json_response
from fedi.services import announcements

bp = Blueprint("api_v1_announcements", __name__, url_prefix="/api/v1/announcements")


@bp.get("")
@require_oauth("read")
def index():
    viewer = current_account()
    with_dismissed = params().bool("with_dismissed", True)
    rows = announcements.active(viewer, with_dismissed=bool(with_dismissed))
    details = announcements.details(viewer, rows)
    return json_response([announcement(r, details) for r in rows])


@bp.post("/<announcement_id>/dismiss")
@require_oauth("write:accounts")
def dismiss(announcement_id: str):
    row = announcements.get_published(announcement_id)
    announcements.dismiss(announcement=row, by=current_account())
    return json_response({})


@bp.put("/<announcement_id>/reactions/<name>")
@require_oauth("write:favourites")
def add_reaction(announcement_id: str, name: str):
    row = announcements.get_published(announcement_id)
    announcements.add_reaction(announcement=row, by=current_account(), name=name)
    return json_response({})


@bp.delete("/<announcement_id>/reactions/<name>")
@require_oauth("write:favourites")
def remove_reaction(announcement_id: str, name: str):
    row = announcements.get_published(announcement_id)
    announcements.remove_reaction(announcement=row, by=current_account(), name=name)
    return json_response({})
