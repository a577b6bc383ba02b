"""Reports for moderators: Mastodon's Api::V1::Admin::ReportsController (list with filters,
show, update the category and rules, assign, unassign, resolve, reopen), all through
services/report_moderation.py."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.admin_report import admin_reports
from fedi.http.json import json_response
from fedi.ids import parse_id
from fedi.services import report_moderation
from fedi.services.report_moderation import ReportQuery
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_reports", __name__, url_prefix="/api/v1/admin/reports")

READ = "admin:read:reports"
WRITE = "admin:write:reports"
LIMIT = 100  # Mastodon's default and maximum page


def _one(report_id: str):
    me = current_account()
    return me, report_moderation.get_report(report_id, by=me)


def _render(report):
    return json_response(admin_reports([report], current_account())[0])


@bp.get("")
@require_staff(READ, Permission.MANAGE_REPORTS)
def index():
    p = params()
    query = ReportQuery(
        resolved=bool(p.bool("resolved", False)),
        account_id=parse_id(p.str("account_id")),
        target_account_id=parse_id(p.str("target_account_id")),
    )
    me = current_account()
    rows = report_moderation.list_reports(
        query, by=me, page=page_params(default=LIMIT, maximum=LIMIT)
    )
    return add_link_header(json_response(admin_reports(rows, me)), rows)


@bp.get("/<report_id>")
@require_staff(READ, Permission.MANAGE_REPORTS)
def show(report_id: str):
    return _render(_one(report_id)[1])


@bp.put("/<report_id>")
@require_staff(WRITE, Permission.MANAGE_REPORTS)
def update(report_id: str):
    me, report = _one(report_id)
    p = params()
    rule_ids = p.list("rule_ids") if "rule_ids" in p else None
    report_moderation.update(report, by=me, category=p.str("category"), rule_ids=rule_ids)
    return _render(report)


@bp.post("/<report_id>/<any(assign_to_self, unassign, resolve, reopen):action>")
@require_staff(WRITE, Permission.MANAGE_REPORTS)
def act(report_id: str, action: str):
    me, report = _one(report_id)
    getattr(report_moderation, action)(report, by=me)
    return _render(report)
