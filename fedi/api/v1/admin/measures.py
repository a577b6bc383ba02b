"""Mastodon's admin dashboard numbers: `POST /api/v1/admin/measures` and
`POST /api/v1/admin/dimensions` (services/admin_metrics.py counts them)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.params import Params, params
from fedi.errors import Unprocessable
from fedi.http.json import json_response
from fedi.services import admin_metrics
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_measures", __name__, url_prefix="/api/v1/admin")


def _day(p: Params, key: str) -> date:
    value = p.str(key) or ""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise Unprocessable(f"{key} must be a date (YYYY-MM-DD)") from None


def _range(p: Params) -> tuple[date, date]:
    start, end = _day(p, "start_at"), _day(p, "end_at")
    if end < start:
        raise Unprocessable("end_at must not be before start_at")
    return start, end


def _keys(p: Params) -> list[str]:
    return [k for k in p.list("keys") if isinstance(k, str)]


@bp.post("/measures")
@require_staff("admin:read", Permission.VIEW_DASHBOARD)
def measures():
    p = params()
    start, end = _range(p)
    found = admin_metrics.measures(_keys(p), start, end, by=current_account())
    return json_response(
        [
            {
                "key": m.key,
                "unit": m.unit,
                "total": str(m.total),
                "previous_total": None if m.previous_total is None else str(m.previous_total),
                "data": [
                    {"date": f"{day.isoformat()}T00:00:00.000+00:00", "value": str(value)}
                    for day, value in m.data
                ],
            }
            for m in found
        ]
    )


@bp.post("/dimensions")
@require_staff("admin:read", Permission.VIEW_DASHBOARD)
def dimensions():
    p = params()
    start, end = _range(p)
    limit = p.int("limit") or 10
    found = admin_metrics.dimensions(_keys(p), start, end, limit=limit, by=current_account())
    return json_response(
        [
            {
                "key": d.key,
                "data": [
                    {"key": row.key, "human_key": row.human_key, "value": row.value}
                    | ({"human_value": row.human_value} if row.human_value is not None else {})
                    | ({"unit": row.unit} if row.unit else {})
                    for row in d.data
                ],
            }
            for d in found
        ]
    )
