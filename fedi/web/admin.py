"""The admin area's own pages (role moderator or admin, see services/staff.py): the dashboard,
the sign-ups awaiting approval when REGISTRATIONS_MODE is `approved`, and the audit log. The
other sections live in the web/admin_*.py modules and share templates/admin/_layout.html. Plain
forms with the CSRF token; HTMX removes a decided sign-up in place."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, redirect, request

from fedi.ids import parse_id
from fedi.models import utcnow
from fedi.services import admin_metrics, audit_log, registrations, sign_up_reviews, staff
from fedi.services.staff import Permission
from fedi.web import charts
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_can, staff_member

DASHBOARD_DAYS = 30
DASHBOARD_MEASURES = {
    "new_users": "New users",
    "active_users": "Active users",
    "local_statuses": "Posts",
    "interactions": "Interactions",
    "opened_reports": "Reports opened",
    "resolved_reports": "Reports resolved",
    "failed_deliveries": "Failed deliveries",
}

bp = Blueprint("web_admin", __name__, url_prefix="/admin")
bp.add_app_template_global(staff_can, "staff_can")


@bp.get("/")
@login_required
def dashboard():
    me = staff_member(Permission.VIEW_DASHBOARD)
    end = utcnow().date()
    start = end - timedelta(days=DASHBOARD_DAYS - 1)
    found = admin_metrics.measures(list(DASHBOARD_MEASURES), start, end, by=me)
    measures = [
        {"title": DASHBOARD_MEASURES[m.key], "measure": m, "chart": charts.bar_chart(m.data)}
        for m in found
    ]
    space = (
        staff.can(me, Permission.MANAGE_SETTINGS)
        and admin_metrics.dimensions(["space_usage"], start, end, by=me)[0]
    )
    return render_page(
        "admin/dashboard.html", now=admin_metrics.now(by=me), measures=measures,
        days=DASHBOARD_DAYS, space=space or None,
    )  # fmt: skip


@bp.get("/sign_ups")
@login_required
def sign_ups():
    me = staff_member(Permission.MANAGE_USERS)
    return render_page(
        "admin/sign_ups.html", users=sign_up_reviews.pending(by=me), mode=registrations.mode(),
        done=request.args.get("done", ""), name=request.args.get("name", ""),
    )  # fmt: skip


@bp.post("/sign_ups/<int:user_id>/<any(approve, reject):decision>")
@login_required
def decide(user_id: int, decision: str):
    me = staff_member(Permission.MANAGE_USERS)
    if decision == "approve":
        name = sign_up_reviews.approve(user_id=user_id, by=me).account.username
    else:
        name = sign_up_reviews.reject(user_id=user_id, by=me)
    if is_htmx():
        verb = "approved" if decision == "approve" else "rejected"
        return f'<li class="notice" role="status">@{name} {verb}.</li>', 200, {"Vary": "HX-Request"}
    done = "approved" if decision == "approve" else "rejected"
    return redirect(f"/admin/sign_ups?done={done}&name={name}", 303)


@bp.get("/audit_log")
@login_required
def audit_log_page():
    me = staff_member(Permission.VIEW_AUDIT_LOG)
    query = audit_log.LogQuery(
        account_id=parse_id(request.args.get("account_id")),
        action=request.args.get("action", "")[:64],
        target_type=request.args.get("target_type", "")[:64],
        target_id=parse_id(request.args.get("target_id")),
        max_id=parse_id(request.args.get("max_id")),
    )
    entries = audit_log.entries(query, by=me)
    return render_page(
        "admin/audit_log.html", entries=entries, query=query, actions=audit_log.actions(),
        staff=audit_log.staff_accounts(), more=len(entries) == audit_log.PAGE,
    )  # fmt: skip
