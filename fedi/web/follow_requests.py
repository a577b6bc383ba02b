"""Pending follow requests to the signed-in (locked) account: authorize or reject each."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import account_lookup, follows
from fedi.services.pagination import PageParams
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import login_required, redirect_back, viewer

bp = Blueprint("web_follow_requests", __name__)


@bp.get("/follow_requests")
@login_required
def index():
    rows = follows.requests_page(viewer(), PageParams.parse(request.args, default=40, maximum=80))
    return render_page("app/follow_requests.html", requests=[account for _, account in rows])


@bp.post("/follow_requests/<int:account_id>/<any(authorize, reject):decision>")
@login_required
def decide(account_id: int, decision: str):
    requester = account_lookup.get_account(account_id)
    if decision == "authorize":
        follows.authorize_request(target=viewer(), requester=requester)
    else:
        follows.reject_request(target=viewer(), requester=requester)
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    return redirect_back("/follow_requests")
