"""Reviewing trends (Permission.MANAGE_TAXONOMIES; each decision in the audit log): the
hashtags, posts and links (preview cards) that trend or would, with their review, and approving
or rejecting them. A rejected one never trends; with TRENDS_NEED_REVIEW only approved ones do
(services/trends.py)."""

from __future__ import annotations

from fedi.errors import NotFound
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, PreviewCard, Status, Tag, utcnow
from fedi.services import audit_log, trends
from fedi.services.staff import Permission, require

LIMIT = 40


def tags(*, by: Account, offset: int = 0, limit: int = LIMIT) -> list[Tag]:
    require(by, Permission.MANAGE_TAXONOMIES)
    return trends.trending_tags(offset=offset, limit=limit, reviewing=True)


def statuses(*, by: Account, offset: int = 0, limit: int = LIMIT) -> list[Status]:
    require(by, Permission.MANAGE_TAXONOMIES)
    return trends.trending_statuses(None, offset=offset, limit=limit, reviewing=True)


def links(*, by: Account, offset: int = 0, limit: int = LIMIT) -> list[PreviewCard]:
    require(by, Permission.MANAGE_TAXONOMIES)
    return trends.trending_links(offset=offset, limit=limit, reviewing=True)


def _row(model, row_id: object):
    """The row reviewed (a deleted status is no longer one), else Mastodon's 404."""
    key = parse_id(row_id)
    row = db.session.get(model, key) if key is not None else None
    if row is None or getattr(row, "deleted_at", None) is not None:
        raise NotFound("Record not found")
    return row


def review_tag(tag_id: object, *, approve: bool, by: Account) -> Tag:
    require(by, Permission.MANAGE_TAXONOMIES)
    tag: Tag = _row(Tag, tag_id)
    tag.trendable, tag.reviewed_at = approve, utcnow()
    audit_log.record(by, "approve" if approve else "reject", "Tag", tag.id, f"#{tag.name}")
    db.session.commit()
    return tag


def review_status(status_id: object, *, approve: bool, by: Account) -> Status:
    require(by, Permission.MANAGE_TAXONOMIES)
    status: Status = _row(Status, status_id)
    status.trendable = approve
    label = f"@{status.account.acct}"
    audit_log.record(by, "approve" if approve else "reject", "Status", status.id, label)
    db.session.commit()
    return status


def review_link(card_id: object, *, approve: bool, by: Account) -> PreviewCard:
    require(by, Permission.MANAGE_TAXONOMIES)
    card: PreviewCard = _row(PreviewCard, card_id)
    card.trendable = approve
    audit_log.record(by, "approve" if approve else "reject", "PreviewCard", card.id, card.url)
    db.session.commit()
    return card
