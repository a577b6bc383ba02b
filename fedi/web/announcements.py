"""Dismissing an announcement shown on the home timeline (the API's dismiss, for the web)."""

from __future__ import annotations

from flask import Blueprint

from fedi.services import announcements
from fedi.web.render import is_htmx
from fedi.web.signed_in import login_required, redirect_back, viewer

bp = Blueprint("web_announcements", __name__)


@bp.post("/announcements/<int:announcement_id>/dismiss")
@login_required
def dismiss(announcement_id: int):
    row = announcements.get_published(announcement_id)
    announcements.dismiss(announcement=row, by=viewer())
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    return redirect_back("/home")
