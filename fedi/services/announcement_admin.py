"""Writing announcements (Permission.MANAGE_ANNOUNCEMENTS; each change in the audit log): drafts,
publishing now or at a chosen time (the periodic task publishes what is due), unpublishing,
editing and deleting. The text is written like a post (links, mentions, hashtags) and stored
both as written (`source`, for editing) and as HTML (`text`, what the API serves).
`starts_at`/`ends_at` are the event the announcement is about (shown with it); `ends_at` also
ends it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, Announcement, utcnow
from fedi.services import audit_log, statuses
from fedi.services.staff import Permission, require

TEXT_LIMIT = 5_000


@dataclass(frozen=True)
class Draft:
    """What the form or a caller gives: the text, the event's times, and when to publish
    (`publish` now, or at `scheduled_at`, or neither: a draft)."""

    text: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False
    publish: bool = False
    scheduled_at: datetime | None = None


def all_(*, by: Account) -> list[Announcement]:
    """Every announcement, newest first."""
    require(by, Permission.MANAGE_ANNOUNCEMENTS)
    query = select(Announcement).order_by(Announcement.id.desc())
    return list(db.session.scalars(query))


def get(announcement_id: object, *, by: Account) -> Announcement:
    require(by, Permission.MANAGE_ANNOUNCEMENTS)
    key = parse_id(announcement_id)
    row = db.session.get(Announcement, key) if key is not None else None
    if row is None:
        raise NotFound("Record not found")
    return row


def _apply(row: Announcement, draft: Draft) -> None:
    text = (draft.text or "").strip()
    if not text:
        raise Unprocessable("An announcement needs a text")
    if len(text) > TEXT_LIMIT:
        raise Unprocessable(f"An announcement is at most {TEXT_LIMIT} characters")
    if draft.starts_at and draft.ends_at and draft.ends_at < draft.starts_at:
        raise Unprocessable("The end must not be before the start")
    if draft.scheduled_at is not None and draft.scheduled_at <= utcnow() and not row.published:
        raise Unprocessable("The publication time must be in the future")
    row.source, row.text = text, statuses.render(text).html
    row.starts_at, row.ends_at, row.all_day = draft.starts_at, draft.ends_at, draft.all_day
    if not row.published:
        row.scheduled_at = None if draft.publish else draft.scheduled_at


def _label(row: Announcement) -> str:
    return row.source[:80] or str(row.id)


def create(draft: Draft, *, by: Account) -> Announcement:
    require(by, Permission.MANAGE_ANNOUNCEMENTS)
    row = Announcement(published=False)
    _apply(row, draft)
    db.session.add(row)
    db.session.flush()
    audit_log.record(by, "create", "Announcement", row.id, _label(row))
    if draft.publish:
        _publish(row, by)
    db.session.commit()
    return row


def update(announcement_id: object, draft: Draft, *, by: Account) -> Announcement:
    row = get(announcement_id, by=by)
    _apply(row, draft)
    audit_log.record(by, "update", "Announcement", row.id, _label(row))
    if draft.publish and not row.published:
        _publish(row, by)
    db.session.commit()
    return row


def _publish(row: Announcement, by: Account | None) -> None:
    row.published, row.published_at, row.scheduled_at = True, utcnow(), None
    if by is not None:
        audit_log.record(by, "publish", "Announcement", row.id, _label(row))


def publish(announcement_id: object, *, by: Account) -> Announcement:
    row = get(announcement_id, by=by)
    if not row.published:
        _publish(row, by)
        db.session.commit()
    return row


def unpublish(announcement_id: object, *, by: Account) -> Announcement:
    """Back to a draft: hidden from everyone (their dismissals and reactions are kept)."""
    row = get(announcement_id, by=by)
    if row.published:
        row.published, row.published_at = False, None
        audit_log.record(by, "unpublish", "Announcement", row.id, _label(row))
        db.session.commit()
    return row


def delete(announcement_id: object, *, by: Account) -> None:
    row = get(announcement_id, by=by)
    audit_log.record(by, "destroy", "Announcement", row.id, _label(row))
    db.session.delete(row)
    db.session.commit()


def publish_due() -> int:
    """Publish the drafts whose time has come (the periodic task); returns how many. A row is
    claimed by its unpublished state, so two sweeps publish it once."""
    now = utcnow()
    due = db.session.scalars(
        select(Announcement)
        .where(Announcement.published.is_(False), Announcement.scheduled_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for row in due:
        _publish(row, None)
    db.session.commit()
    return len(due)
