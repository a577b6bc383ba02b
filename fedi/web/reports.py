"""Reporting an account or a post to the moderators: the Report link of a post's own page (its
focused card) opens /@user/<id>/report, a profile's opens /@user/report. The form (category,
the server rules broken, the account's recent posts to include, a comment, forwarding for remote
accounts) posts to /reports, which calls the same service as POST /api/v1/reports, then shows a
thank-you page offering to mute or block the account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

from fedi.errors import DomainError
from fedi.models import Account, ReportCategory
from fedi.services import account_lookup, instance_rules, reports, statuses
from fedi.services.reports import MAX_COMMENT
from fedi.web import context
from fedi.web.render import render_page
from fedi.web.signed_in import login_required, viewer

bp = Blueprint("web_reports", __name__)

CATEGORIES = [
    (ReportCategory.SPAM.value, "Spam", "Malicious links, fake engagement, or repetitive replies"),
    (ReportCategory.LEGAL.value, "Illegal content", "It is illegal where you or the server are"),
    (ReportCategory.VIOLATION.value, "It breaks the server's rules", "Choose the rules below"),
    (ReportCategory.OTHER.value, "Something else", "It is not one of the above"),
]


def _form(target: Account, form: dict[str, Any], *, error: str = "", http_status: int = 200):
    me = viewer()
    posts = reports.reportable_statuses(me, target, include=form.get("status_id"))
    return render_page(
        "app/report.html", http_status=http_status, target=target, posts=posts,
        rules=instance_rules.rules(), categories=CATEGORIES, form=form, error=error,
        max_comment=MAX_COMMENT, ctx=context.page_context(me, posts, None),
    )  # fmt: skip


def _blank(status_id: int | None = None) -> dict[str, Any]:
    checked = [str(status_id)] if status_id else []
    return {"status_id": status_id, "status_ids": checked, "category": "other", "rule_ids": [],
            "comment": "", "forward": False}  # fmt: skip


@bp.get("/@<acct>/report")
@login_required
def account_form(acct: str):
    target = reports.require_reportable(account_lookup.lookup(acct).id)
    return _form(target, _blank())


@bp.get("/@<acct>/<int:status_id>/report")
@login_required
def status_form(acct: str, status_id: int):
    status = statuses.get_visible(status_id, viewer())
    shown = status.reblog or status
    target = reports.require_reportable(shown.account_id)
    return _form(target, _blank(shown.id))


@bp.post("/reports")
@login_required
def create():
    target = reports.require_reportable(request.form.get("account_id", ""))
    form = {
        "status_id": None,
        "status_ids": request.form.getlist("status_ids"),
        "category": request.form.get("category", "other"),
        "rule_ids": request.form.getlist("rule_ids"),
        "comment": request.form.get("comment", ""),
        "forward": request.form.get("forward") == "1",
    }
    try:
        reports.create_report(
            reporter=viewer(), target=target, status_ids=form["status_ids"],
            comment=form["comment"], category=form["category"], rule_ids=form["rule_ids"],
            forward=form["forward"] and not target.local,
        )  # fmt: skip
    except DomainError as err:
        if err.status_code != 422:
            raise
        return _form(target, form, error=err.message.removeprefix("Validation failed: "),
                     http_status=422)  # fmt: skip
    return redirect(f"/reports/sent?account_id={target.id}", 303)


@bp.get("/reports/sent")
@login_required
def sent():
    target = account_lookup.get_account(request.args.get("account_id", ""))
    return render_page("app/report_sent.html", target=target)
