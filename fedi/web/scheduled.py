"""The signed-in user's scheduled posts (made with the compose form's "Schedule" field), soonest
id first as the API lists them, each with its time and a button to cancel it."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import scheduled_statuses
from fedi.services.pagination import PageParams
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import login_required, redirect_back, viewer

bp = Blueprint("web_scheduled", __name__)


@bp.get("/scheduled")
@login_required
def index():
    params = PageParams.parse(request.args)
    rows = scheduled_statuses.page(viewer(), params)
    media = scheduled_statuses.media_of(rows)
    next_max_id = rows[-1].id if len(rows) >= params.limit else None
    return render_page(
        "app/scheduled.html", block="page", rows=rows, media=media, next_max_id=next_max_id,
        first_page=params.max_id is None,
    )  # fmt: skip


@bp.post("/scheduled/<int:scheduled_id>/delete")
@login_required
def delete(scheduled_id: int):
    scheduled_statuses.cancel(scheduled_statuses.get_own(scheduled_id, viewer()))
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    return redirect_back("/scheduled")
