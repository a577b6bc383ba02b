"""Scheduled statuses: a post kept until its time, then published through `post_status`.

As Mastodon does: `scheduled_at` at least five minutes ahead (a time already past posts at once),
at most 25 on one day and 300 in all per account; the request's parameters are kept as
Mastodon's `params` and its media are reserved for it. Publishing claims the row by deleting it
in the transaction that stores the post, so the delayed task and the periodic sweep may both
run for a row and it is posted once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from fedi import queue
from fedi.errors import DomainError, NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, MediaAttachment, ScheduledStatus, Status, utcnow
from fedi.services import idempotency, polls, statuses
from fedi.services.pagination import PageParams

log = logging.getLogger(__name__)

MIN_OFFSET = timedelta(minutes=5)
TOTAL_LIMIT = 300
DAILY_LIMIT = 25
TOO_SOON = "Scheduled at The scheduled date must be in the future"
OVER_TOTAL = f"You have exceeded the limit of {TOTAL_LIMIT} scheduled posts"
OVER_DAILY = f"You have exceeded the limit of {DAILY_LIMIT} scheduled posts for today"
# What Mastodon answers for a date it cannot read (its RecordInvalid without a record).
INVALID_DATE = "Record invalid"
# A delayed task runs at its time or just after; a second later, the row is surely due.
SLACK_SECONDS = 1.0


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the request (UTC when it names no offset); None when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        when = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise Unprocessable(INVALID_DATE) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def wanted_time(value: Any) -> datetime | None:
    """The time a post asks to be published at, or None to post it now: none was given, or it
    has already passed (Mastodon posts those at once)."""
    when = parse_time(value)
    return when if when is not None and when > utcnow() else None


def _check(account: Account, when: datetime, *, exclude: int | None = None) -> None:
    errors = []
    if when <= utcnow() + MIN_OFFSET:
        errors.append(TOO_SOON)
    mine = (
        select(func.count())
        .select_from(ScheduledStatus)
        .where(ScheduledStatus.account_id == account.id)
    )
    if exclude is not None:
        mine = mine.where(ScheduledStatus.id != exclude)
    if (db.session.scalar(mine) or 0) >= TOTAL_LIMIT:
        errors.append(OVER_TOTAL)
    day = when.replace(hour=0, minute=0, second=0, microsecond=0)
    on_day = mine.where(
        ScheduledStatus.scheduled_at >= day, ScheduledStatus.scheduled_at < day + timedelta(days=1)
    )
    if (db.session.scalar(on_day) or 0) >= DAILY_LIMIT:
        errors.append(OVER_DAILY)
    if errors:
        raise Unprocessable("Validation failed: " + ", ".join(errors))


def _by_key(account: Account, key: str | None) -> ScheduledStatus | None:
    if key is None:
        return None
    return db.session.scalar(
        select(ScheduledStatus).where(
            ScheduledStatus.account_id == account.id,
            ScheduledStatus.idempotency_key == key,
            ScheduledStatus.created_at > utcnow() - idempotency.EXPIRY,
        )
    )


def _enqueue(row: ScheduledStatus) -> None:
    delay = max((row.scheduled_at - utcnow()).total_seconds(), 0.0) + SLACK_SECONDS
    queue.enqueue("publish_scheduled_status", row.id, delay=delay)


def schedule(
    *,
    account: Account,
    scheduled_at: datetime,
    text: str,
    visibility_: str | None = None,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    in_reply_to_id: int | str | None = None,
    application_id: int | None = None,
    media_ids: Sequence[Any] | None = None,
    idempotency_key: str | None = None,
    poll: polls.PollSpec | None = None,
) -> ScheduledStatus:
    """Keep a post for `scheduled_at`, checked as `post_status` would check it now, with its
    media reserved (or its poll, whose duration starts when it is published); a retry with the
    same `idempotency_key` answers with the same row."""
    key = idempotency.normalize(idempotency_key)
    duplicate = _by_key(account, key)
    if duplicate is not None:
        return duplicate
    if poll is not None and media_ids:  # as post_status answers
        raise Unprocessable(f"Cannot attach more than {statuses.MAX_MEDIA} files")
    media = statuses.validate_post(
        account=account, text=text, visibility_=visibility_, spoiler_text=spoiler_text or "",
        in_reply_to_id=in_reply_to_id, media_ids=media_ids,
    )  # fmt: skip
    options, seconds = polls.check(poll) if poll is not None else ([], 0)
    _check(account, scheduled_at)
    reply_to = statuses.parse_id(in_reply_to_id) if in_reply_to_id not in (None, "") else None
    row = ScheduledStatus(
        id=new_id(),
        account_id=account.id,
        scheduled_at=scheduled_at,
        idempotency_key=key,
        params={
            "text": text or "",
            "poll": {
                "options": options,
                "expires_in": seconds,
                "multiple": poll.multiple,
                "hide_totals": poll.hide_totals,
            }
            if poll is not None
            else None,
            "media_ids": [str(m.id) for m in media] or None,
            "sensitive": sensitive,
            "spoiler_text": spoiler_text,
            "visibility": visibility_,
            "in_reply_to_id": str(reply_to) if reply_to else None,
            "language": language,
            "application_id": application_id,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
        },
    )
    if key is not None:  # an expired key of an unpublished row may be used again
        db.session.execute(
            update(ScheduledStatus)
            .where(ScheduledStatus.account_id == account.id, ScheduledStatus.idempotency_key == key)
            .values(idempotency_key=None)
            .execution_options(synchronize_session=False)
        )
    db.session.add(row)
    db.session.flush()
    for position, item in enumerate(media):
        item.scheduled_status_id = row.id
        item.position = position
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        duplicate = _by_key(account, key)
        if duplicate is None:
            raise
        return duplicate
    _enqueue(row)
    return row


def get_own(scheduled_id: Any, account: Account) -> ScheduledStatus:
    number = statuses.parse_id(scheduled_id)
    row = db.session.get(ScheduledStatus, number) if number is not None else None
    if row is None or row.account_id != account.id:
        raise NotFound("Record not found")
    return row


def page(account: Account, page_: PageParams) -> list[ScheduledStatus]:
    """The account's scheduled statuses, newest id first, one page."""
    query = select(ScheduledStatus).where(ScheduledStatus.account_id == account.id)
    return page_.finish(list(db.session.scalars(page_.apply(query, ScheduledStatus.id))))


def media_of(rows: Sequence[ScheduledStatus]) -> dict[int, list[MediaAttachment]]:
    """The media reserved for each row, in their order, in one query."""
    found: dict[int, list[MediaAttachment]] = {row.id: [] for row in rows}
    if not found:
        return found
    for item in db.session.scalars(
        select(MediaAttachment)
        .where(MediaAttachment.scheduled_status_id.in_(list(found)))
        .order_by(MediaAttachment.position, MediaAttachment.id)
    ):
        found[item.scheduled_status_id].append(item)  # type: ignore[index]
    return found


def reschedule(row: ScheduledStatus, scheduled_at: datetime | None) -> ScheduledStatus:
    """Move the row to another time, checked as when it was made; None leaves it as it is."""
    if scheduled_at is None:
        return row
    account = db.session.get(Account, row.account_id)
    if account is None:
        raise NotFound("Record not found")
    _check(account, scheduled_at, exclude=row.id)
    row.scheduled_at = scheduled_at
    db.session.commit()
    _enqueue(row)  # the task queued for the old time finds the row not due and does nothing
    return row


def cancel(row: ScheduledStatus) -> None:
    """Delete the row; its media are free to attach elsewhere."""
    _release_media(row.id)
    db.session.execute(delete(ScheduledStatus).where(ScheduledStatus.id == row.id))
    db.session.commit()


def _release_media(scheduled_id: int) -> None:
    db.session.execute(
        update(MediaAttachment)
        .where(MediaAttachment.scheduled_status_id == scheduled_id)
        .values(scheduled_status_id=None)
        .execution_options(synchronize_session=False)
    )


def publish(scheduled_id: int) -> Status | None:
    """Post the row if it is due. Claimed by deleting it (`DELETE ... RETURNING`) in the
    transaction that stores the post: a second run for the same row finds nothing to delete,
    and a failure keeps the row for the next run. A post that can no longer be made (the
    account suspended, the reply target gone, ...) is dropped, as Mastodon drops it."""
    claimed = db.session.execute(
        delete(ScheduledStatus)
        .where(ScheduledStatus.id == scheduled_id, ScheduledStatus.scheduled_at <= utcnow())
        .returning(ScheduledStatus.account_id, ScheduledStatus.params)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        db.session.rollback()
        return None
    _release_media(scheduled_id)
    account = db.session.get(Account, claimed.account_id)
    if account is None or account.suspended_at is not None:
        db.session.commit()
        return None
    p = dict(claimed.params or {})
    try:
        return statuses.post_status(
            account=account, text=p.get("text") or "", visibility_=p.get("visibility"),
            spoiler_text=p.get("spoiler_text") or "", sensitive=p.get("sensitive"),
            language=p.get("language"), in_reply_to_id=p.get("in_reply_to_id"),
            application_id=p.get("application_id"), media_ids=p.get("media_ids"),
            poll=polls.PollSpec(**p["poll"]) if p.get("poll") else None,
        )  # fmt: skip
    except DomainError as err:
        db.session.rollback()
        log.info("scheduled status %s dropped: %s", scheduled_id, err.message)
        _release_media(scheduled_id)
        db.session.execute(delete(ScheduledStatus).where(ScheduledStatus.id == scheduled_id))
        db.session.commit()
        return None


def due_ids(limit: int = 500) -> list[int]:
    """The rows whose time has come, oldest first (for the periodic sweep)."""
    return list(
        db.session.scalars(
            select(ScheduledStatus.id)
            .where(ScheduledStatus.scheduled_at <= utcnow())
            .order_by(ScheduledStatus.scheduled_at, ScheduledStatus.id)
            .limit(limit)
        )
    )
