"""Trends review (moderators): the hashtags, posts and links that trend or would, each approved
or rejected with a plain form (services/trend_reviews.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect

from fedi.services import trend_reviews, trends
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_trends", __name__, url_prefix="/admin/trends")


@bp.get("/")
@login_required
def index():
    me = staff_member(Permission.MANAGE_TAXONOMIES)
    tags, links = trend_reviews.tags(by=me), trend_reviews.links(by=me)
    return render_page(
        "admin/trends.html", tags=tags, history=trends.tag_history([t.id for t in tags]),
        statuses=trend_reviews.statuses(by=me), links=links,
        link_history=trends.link_history([c.id for c in links]),
        need_review=current_app.config["FEDI"].TRENDS_NEED_REVIEW,
    )  # fmt: skip


@bp.post("/tags/<int:tag_id>/<any(approve, reject):decision>")
@login_required
def review_tag(tag_id: int, decision: str):
    me = staff_member(Permission.MANAGE_TAXONOMIES)
    trend_reviews.review_tag(tag_id, approve=decision == "approve", by=me)
    return redirect("/admin/trends/#tags", 303)


@bp.post("/statuses/<int:status_id>/<any(approve, reject):decision>")
@login_required
def review_status(status_id: int, decision: str):
    me = staff_member(Permission.MANAGE_TAXONOMIES)
    trend_reviews.review_status(status_id, approve=decision == "approve", by=me)
    return redirect("/admin/trends/#statuses", 303)


@bp.post("/links/<int:link_id>/<any(approve, reject):decision>")
@login_required
def review_link(link_id: int, decision: str):
    me = staff_member(Permission.MANAGE_TAXONOMIES)
    trend_reviews.review_link(link_id, approve=decision == "approve", by=me)
    return redirect("/admin/trends/#links", 303)
