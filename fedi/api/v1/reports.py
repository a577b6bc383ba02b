"""Reports: `POST /api/v1/reports` (Mastodon's Api::V1::ReportsController)."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.entities.report import report
from fedi.services import reports

bp = Blueprint("api_v1_reports", __name__, url_prefix="/api/v1/reports")


@bp.post("")
@require_oauth("write:reports")
def create():
    p = params()
    created = reports.create_report(
        reporter=current_account(), target=reports.require_reportable(p.str("account_id")),
        status_ids=p.list("status_ids"), comment=p.str("comment") or "",
        category=p.str("category"), rule_ids=p.list("rule_ids"),
        forward=bool(p.bool("forward", False)),
        forward_to_domains=p.list("forward_to_domains") or None,
    )  # fmt: skip
    return report(created)
