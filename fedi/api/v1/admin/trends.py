"""Mastodon's trends review API: `/api/v1/admin/trends/{tags,statuses,links}`, listing what
trends or would (whatever its review) and approving or rejecting it
(services/trend_reviews.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from fedi import entities
from fedi.api.auth import current_account, require_staff
from fedi.api.v1.trends import offset_paged, offset_window
from fedi.entities.preview_card import admin_trends_links
from fedi.entities.status import one
from fedi.entities.tag import tags
from fedi.http.json import json_response
from fedi.models import Tag
from fedi.services import trend_reviews
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_trends", __name__, url_prefix="/api/v1/admin/trends")


def admin_tags(rows: list[Tag]) -> list[dict[str, Any]]:
    """Mastodon's Admin::Tag: the Tag entity and its review state."""
    return [
        body | {
            "trendable": row.trendable,
            "usable": row.usable,
            "requires_review": row.reviewed_at is None,
            "listable": row.listable,
        }
        for row, body in zip(rows, tags(rows, None), strict=True)
    ]  # fmt: skip


@bp.get("/tags")
@require_staff("admin:read", Permission.MANAGE_TAXONOMIES)
def list_tags():
    offset, limit = offset_window(10, 20)
    rows = trend_reviews.tags(by=current_account(), offset=offset, limit=limit)
    return offset_paged(admin_tags(rows), offset, limit)


@bp.post("/tags/<int:tag_id>/<any(approve, reject):decision>")
@require_staff("admin:write", Permission.MANAGE_TAXONOMIES)
def review_tag(tag_id: int, decision: str):
    row = trend_reviews.review_tag(tag_id, approve=decision == "approve", by=current_account())
    return json_response(admin_tags([row])[0])


@bp.get("/statuses")
@require_staff("admin:read", Permission.MANAGE_TAXONOMIES)
def list_statuses():
    offset, limit = offset_window(20, 40)
    rows = trend_reviews.statuses(by=current_account(), offset=offset, limit=limit)
    return offset_paged(entities.statuses(rows, current_account()), offset, limit)


@bp.post("/statuses/<int:status_id>/<any(approve, reject):decision>")
@require_staff("admin:write", Permission.MANAGE_TAXONOMIES)
def review_status(status_id: int, decision: str):
    approve = decision == "approve"
    row = trend_reviews.review_status(status_id, approve=approve, by=current_account())
    return json_response(one(row, current_account()))


@bp.get("/links")
@require_staff("admin:read", Permission.MANAGE_TAXONOMIES)
def list_links():
    offset, limit = offset_window(10, 20)
    rows = trend_reviews.links(by=current_account(), offset=offset, limit=limit)
    return offset_paged(admin_trends_links(rows), offset, limit)


@bp.post("/links/<int:card_id>/<any(approve, reject):decision>")
@require_staff("admin:write", Permission.MANAGE_TAXONOMIES)
def review_link(card_id: int, decision: str):
    row = trend_reviews.review_link(card_id, approve=decision == "approve", by=current_account())
    return json_response(admin_trends_links([row])[0])
