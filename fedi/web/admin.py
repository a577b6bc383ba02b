"""The moderators' pages (role admin or moderator): for now, the sign-ups awaiting approval when
REGISTRATIONS_MODE is `approved`, with each one's reason, to approve or reject. Plain forms with
the CSRF token; HTMX removes the decided row in place."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from fedi.errors import Forbidden
from fedi.services import registrations, sign_up_reviews
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import login_required, viewer

bp = Blueprint("web_admin", __name__, url_prefix="/admin")


def _staff():
    me = viewer()
    if me.user is None or not me.user.is_staff:
        raise Forbidden("This page is for moderators.")
    return me


@bp.get("/sign_ups")
@login_required
def sign_ups():
    me = _staff()
    return render_page(
        "admin/sign_ups.html", users=sign_up_reviews.pending(by=me), mode=registrations.mode(),
        done=request.args.get("done", ""), name=request.args.get("name", ""),
    )  # fmt: skip


@bp.post("/sign_ups/<int:user_id>/<any(approve, reject):decision>")
@login_required
def decide(user_id: int, decision: str):
    me = _staff()
    if decision == "approve":
        name = sign_up_reviews.approve(user_id=user_id, by=me).account.username
    else:
        name = sign_up_reviews.reject(user_id=user_id, by=me)
    if is_htmx():
        verb = "approved" if decision == "approve" else "rejected"
        return f'<li class="notice" role="status">@{name} {verb}.</li>', 200, {"Vary": "HX-Request"}
    done = "approved" if decision == "approve" else "rejected"
    return redirect(f"/admin/sign_ups?done={done}&name={name}", 303)
