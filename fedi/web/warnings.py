"""The warnings a user was sent by the moderators (`/settings/warnings`, and one warning at
`/settings/warnings/<id>`, where a `moderation_warning` notification leads)."""

from __future__ import annotations

from flask import Blueprint

from fedi.services import account_warnings
from fedi.web.render import render_page
from fedi.web.signed_in import login_required, viewer

bp = Blueprint("web_warnings", __name__, url_prefix="/settings/warnings")


@bp.get("")
@login_required
def index():
    rows = account_warnings.received(viewer())
    return render_page(
        "settings/warnings.html", rows=rows, explain=account_warnings.EXPLANATIONS, one=False
    )


@bp.get("/<int:warning_id>")
@login_required
def show(warning_id: int):
    row = account_warnings.own(viewer(), warning_id)
    return render_page(
        "settings/warnings.html", rows=[row], explain=account_warnings.EXPLANATIONS, one=True
    )
