"""The report queue for moderators (MANAGE_REPORTS): /admin/reports with open/resolved tabs and
filters by the target's origin and domain, and /admin/reports/<id> with the reporter, the
target, the category and rules, the comment, the reported posts, the target's earlier reports,
internal notes, assigning, resolving and reopening (with a note), and the actions on the
reported posts. Every form is a plain POST that redirects back to the report with a notice; all
of it goes through services/report_moderation.py."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, request, url_for

from fedi.errors import DomainError
from fedi.ids import parse_id
from fedi.models import ReportCategory
from fedi.services import instance_rules, report_moderation
from fedi.services.pagination import PageParams
from fedi.services.report_moderation import ReportQuery
from fedi.services.staff import Permission
from fedi.web.context import content_html
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_reports", __name__, url_prefix="/admin/reports")

PAGE = 40
NOTICES = {
    "assigned_to_self": "The report is assigned to you.",
    "unassigned": "The report is no longer assigned.",
    "resolve": "The report is resolved.",
    "reopen": "The report is open again.",
    "note": "Your note was added.",
    "note_deleted": "The note was deleted.",
    "updated": "The category was changed.",
    "sensitive": "The reported posts are marked sensitive and the report is resolved.",
    "deleted": "The reported posts are deleted and the report is resolved.",
}


def _query() -> ReportQuery:
    origin = request.args.get("origin", "")
    return ReportQuery(
        resolved=request.args.get("status") == "resolved",
        target_account_id=parse_id(request.args.get("target_account_id")),
        origin=origin if origin in ("local", "remote") else "",
        domain=request.args.get("domain", "").strip()[:253],
    )


def _url(**args: object) -> str:
    kept = {k: v for k, v in args.items() if v}
    base = url_for("web_admin_reports.index")
    return f"{base}?{urlencode(kept)}" if kept else base


@bp.get("")
@login_required
def index():
    me = staff_member(Permission.MANAGE_REPORTS)
    query = _query()
    page = PageParams(max_id=parse_id(request.args.get("max_id")), limit=PAGE)
    rows = report_moderation.list_reports(query, by=me, page=page)
    filters = {"origin": query.origin, "domain": query.domain,
               "target_account_id": query.target_account_id}  # fmt: skip
    status = "resolved" if query.resolved else ""
    older = _url(status=status, **filters, max_id=rows[-1].id) if len(rows) == PAGE else None
    return render_page(
        "admin/reports.html", reports=rows, query=query, older=older,
        open_url=_url(**filters), resolved_url=_url(status="resolved", **filters),
        filtered=any(filters.values()),
    )  # fmt: skip


def _show(report_id: int, *, error: str = "", http_status: int = 200):
    me = staff_member(Permission.MANAGE_REPORTS)
    report = report_moderation.get_report(report_id, by=me)
    found = report_moderation.statuses_of([report])
    posts = [(found[i], content_html(found[i])) for i in report.status_ids or [] if i in found]
    rules = report_moderation.rules_of([report])
    return render_page(
        "admin/report.html", http_status=http_status, report=report, posts=posts,
        missing=len(report.status_ids or []) - len(posts),
        rules=[rules[i] for i in report.rule_ids or [] if i in rules],
        all_rules=instance_rules.rules(), categories=[c.value for c in ReportCategory],
        notes=report_moderation.notes(report), history=report_moderation.history(report),
        me=me, notice=NOTICES.get(request.args.get("done", ""), ""), error=error,
    )  # fmt: skip


@bp.get("/<int:report_id>")
@login_required
def show(report_id: int):
    return _show(report_id)


def _back(report_id: int, done: str):
    return redirect(url_for("web_admin_reports.show", report_id=report_id, done=done), 303)


@bp.post("/<int:report_id>/<any(assign_to_self, unassign, resolve, reopen):action>")
@login_required
def act(report_id: int, action: str):
    me = staff_member(Permission.MANAGE_REPORTS)
    report = report_moderation.get_report(report_id, by=me)
    getattr(report_moderation, action)(report, by=me)
    done = {"assign_to_self": "assigned_to_self", "unassign": "unassigned"}.get(action, action)
    return _back(report.id, done)


@bp.post("/<int:report_id>/category")
@login_required
def update(report_id: int):
    me = staff_member(Permission.MANAGE_REPORTS)
    report = report_moderation.get_report(report_id, by=me)
    try:
        report_moderation.update(
            report, by=me, category=request.form.get("category", report.category.value),
            rule_ids=request.form.getlist("rule_ids"),
        )  # fmt: skip
    except DomainError as err:
        if err.status_code != 422:
            raise
        return _show(report_id, error=err.message.removeprefix("Validation failed: "),
                     http_status=422)  # fmt: skip
    return _back(report.id, "updated")


@bp.post("/<int:report_id>/notes")
@login_required
def add_note(report_id: int):
    me = staff_member(Permission.MANAGE_REPORTS)
    report = report_moderation.get_report(report_id, by=me)
    then = "resolve" if "resolve" in request.form else "reopen" if "reopen" in request.form else ""
    try:
        report_moderation.add_note(report, by=me, content=request.form.get("content", ""),
                                   then=then)  # fmt: skip
    except DomainError as err:
        if err.status_code != 422:
            raise
        return _show(report_id, error=err.message.removeprefix("Validation failed: "),
                     http_status=422)  # fmt: skip
    return _back(report.id, then or "note")


@bp.post("/<int:report_id>/notes/<int:note_id>/delete")
@login_required
def delete_note(report_id: int, note_id: int):
    me = staff_member(Permission.MANAGE_REPORTS)
    report = report_moderation.delete_note(note_id, by=me, report_id=report_id)
    return _back(report.id, "note_deleted")


@bp.post("/<int:report_id>/<any(mark_sensitive, delete_statuses):action>")
@login_required
def posts_action(report_id: int, action: str):
    me = staff_member(Permission.MANAGE_REPORTS)
    report = report_moderation.get_report(report_id, by=me)
    if action == "mark_sensitive":
        report_moderation.mark_statuses_sensitive(report, by=me)
        return _back(report.id, "sensitive")
    report_moderation.delete_statuses(report, by=me)
    return _back(report.id, "deleted")
