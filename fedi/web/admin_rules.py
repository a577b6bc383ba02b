"""The server's rules (admins): add, edit, reorder and delete, with plain forms."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from fedi.errors import Unprocessable
from fedi.services import instance_rules
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_rules", __name__, url_prefix="/admin/rules")
DONE = {"created": "Rule added.", "updated": "Rule saved.", "deleted": "Rule deleted.",
        "moved": "Rules reordered."}  # fmt: skip


def _page(*, error: str = "", form: dict[str, str] | None = None, editing: int | None = None):
    return render_page(
        "admin/rules.html", http_status=422 if error else 200, rules=instance_rules.rules(),
        error=error, form=form or {"text": "", "hint": ""}, editing=editing,
        done=DONE.get(request.args.get("done", ""), ""),
        text_limit=instance_rules.TEXT_LIMIT, hint_limit=instance_rules.HINT_LIMIT,
    )  # fmt: skip


def _form() -> dict[str, str]:
    return {"text": request.form.get("text", ""), "hint": request.form.get("hint", "")}


@bp.get("/")
@login_required
def index():
    staff_member(Permission.MANAGE_RULES)
    editing = request.args.get("edit", type=int)
    return _page(editing=editing)


@bp.post("/")
@login_required
def create():
    me = staff_member(Permission.MANAGE_RULES)
    try:
        instance_rules.create(**_form(), by=me)
    except Unprocessable as error:
        return _page(error=str(error), form=_form())
    return redirect("/admin/rules/?done=created", 303)


@bp.post("/<int:rule_id>")
@login_required
def update(rule_id: int):
    me = staff_member(Permission.MANAGE_RULES)
    try:
        instance_rules.update(rule_id, **_form(), by=me)
    except Unprocessable as error:
        return _page(error=str(error), editing=rule_id)
    return redirect("/admin/rules/?done=updated", 303)


@bp.post("/<int:rule_id>/delete")
@login_required
def delete(rule_id: int):
    instance_rules.delete(rule_id, by=staff_member(Permission.MANAGE_RULES))
    return redirect("/admin/rules/?done=deleted", 303)


@bp.post("/<int:rule_id>/<any(up, down):direction>")
@login_required
def move(rule_id: int, direction: str):
    me = staff_member(Permission.MANAGE_RULES)
    instance_rules.move(rule_id, -1 if direction == "up" else 1, by=me)
    return redirect("/admin/rules/?done=moved", 303)
