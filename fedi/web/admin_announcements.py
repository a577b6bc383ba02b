"""Announcements (admins): write one, publish it now or at a time, or keep it as a draft; edit,
unpublish and delete. Times are entered and shown in UTC."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from fedi.errors import Unprocessable
from fedi.services import announcement_admin
from fedi.services.announcement_admin import Draft
from fedi.services.scheduled_statuses import parse_time
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_announcements", __name__, url_prefix="/admin/announcements")
DONE = {"created": "Announcement saved.", "updated": "Announcement saved.",
        "published": "Announcement published.", "unpublished": "Announcement unpublished.",
        "deleted": "Announcement deleted."}  # fmt: skip
EMPTY = {"text": "", "starts_at": "", "ends_at": "", "all_day": "", "when": "now",
         "scheduled_at": ""}  # fmt: skip


def _local(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


def _form_of(row) -> dict[str, str]:
    return {
        "text": row.source, "starts_at": _local(row.starts_at), "ends_at": _local(row.ends_at),
        "all_day": "1" if row.all_day else "", "scheduled_at": _local(row.scheduled_at),
        "when": "later" if row.scheduled_at else "draft",
    }  # fmt: skip


def _draft(form: dict[str, str]) -> Draft:
    when = form.get("when", "draft")
    return Draft(
        text=form.get("text", ""),
        starts_at=parse_time(form.get("starts_at")),
        ends_at=parse_time(form.get("ends_at")),
        all_day=bool(form.get("all_day")),
        publish=when == "now",
        scheduled_at=parse_time(form.get("scheduled_at")) if when == "later" else None,
    )


def _page(me, *, form=None, editing=None, error: str = ""):
    return render_page(
        "admin/announcements.html", http_status=422 if error else 200,
        announcements=announcement_admin.all_(by=me), form=form or EMPTY, editing=editing,
        error=error, done=DONE.get(request.args.get("done", ""), ""),
        limit=announcement_admin.TEXT_LIMIT,
    )  # fmt: skip


@bp.get("/")
@login_required
def index():
    me = staff_member(Permission.MANAGE_ANNOUNCEMENTS)
    edit = request.args.get("edit", type=int)
    if edit:
        row = announcement_admin.get(edit, by=me)
        return _page(me, form=_form_of(row), editing=row)
    return _page(me)


@bp.post("/")
@login_required
def create():
    me = staff_member(Permission.MANAGE_ANNOUNCEMENTS)
    form = dict(request.form)
    try:
        announcement_admin.create(_draft(form), by=me)
    except Unprocessable as error:
        return _page(me, form=form, error=str(error))
    return redirect("/admin/announcements/?done=created", 303)


@bp.post("/<int:announcement_id>")
@login_required
def update(announcement_id: int):
    me = staff_member(Permission.MANAGE_ANNOUNCEMENTS)
    form = dict(request.form)
    try:
        announcement_admin.update(announcement_id, _draft(form), by=me)
    except Unprocessable as error:
        row = announcement_admin.get(announcement_id, by=me)
        return _page(me, form=form, editing=row, error=str(error))
    return redirect("/admin/announcements/?done=updated", 303)


@bp.post("/<int:announcement_id>/<any(publish, unpublish, delete):action>")
@login_required
def act(announcement_id: int, action: str):
    me = staff_member(Permission.MANAGE_ANNOUNCEMENTS)
    if action == "publish":
        announcement_admin.publish(announcement_id, by=me)
    elif action == "unpublish":
        announcement_admin.unpublish(announcement_id, by=me)
    else:
        announcement_admin.delete(announcement_id, by=me)
    done = {"publish": "published", "unpublish": "unpublished", "delete": "deleted"}[action]
    return redirect(f"/admin/announcements/?done={done}", 303)
