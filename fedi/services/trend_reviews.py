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


def _tag(tag_id: object) -> Tag:
    key = parse_id(tag_id)
    tag = db.session.get(Tag, key) if key is not None else None
    if tag is None:
        raise NotFound("Record not found")
    return tag


def _status(status_id: object) -> Status:
    key = parse_id(status_id)
    status = db.session.get(Status, key) if key is not None else None
    if status is None or status.deleted_at is not None:
        raise NotFound("Record not found")
    return status


def review_tag(tag_id: object, *, approve: bool, by: Account) -> Tag:
    require(by, Permission.MANAGE_TAXONOMIES)
    tag = _tag(tag_id)
    tag.trendable, tag.reviewed_at = approve, utcnow()
    audit_log.record(by, "approve" if approve else "reject", "Tag", tag.id, f"#{tag.name}")
    db.session.commit()
    return tag


def review_status(status_id: object, *, approve: bool, by: Account) -> Status:
    require(by, Permission.MANAGE_TAXONOMIES)
    status = _status(status_id)
    status.trendable = approve
    label = f"@{status.account.acct}"
    audit_log.record(by, "approve" if approve else "reject", "Status", status.id, label)
    db.session.commit()
    return status


def review_link(card_id: object, *, approve: bool, by: Account) -> PreviewCard:
    require(by, Permission.MANAGE_TAXONOMIES)
    key = parse_id(card_id)
    card = db.session.get(PreviewCard, key) if key is not None else None
    if card is None:
        raise NotFound("Record not found")
    card.trendable = approve
    audit_log.record(by, "approve" if approve else "reject", "PreviewCard", card.id, card.url)
    db.session.commit()
    return card
