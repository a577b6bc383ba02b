"""Hashtags an account features on its profile, with how often it used them publicly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import id_at, parse_id
from fedi.models import Account, FeaturedTag, Status, StatusTag, Tag, Visibility, utcnow
from fedi.services import accounts, tags
from fedi.text.parse import is_valid_tag_name, normalize_tag

LIMIT = 10
SUGGESTIONS = 10
RECENT_STATUSES = 1000  # suggestions look at the tags of this many recent posts


@dataclass(frozen=True)
class FeaturedTagView:
    row: FeaturedTag
    statuses_count: int
    last_status_at: datetime | None


def _public_usage(account_id: int, tag_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """(count, newest) of the account's public and unlisted posts per tag, in one query."""
    if not tag_ids:
        return {}
    rows = db.session.execute(
        select(StatusTag.tag_id, func.count(Status.id), func.max(Status.created_at))
        .join(Status, Status.id == StatusTag.status_id)
        .where(
            StatusTag.tag_id.in_(tag_ids),
            Status.account_id == account_id,
            Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED]),
            Status.reblog_of_id.is_(None),
            Status.deleted_at.is_(None),
        )
        .group_by(StatusTag.tag_id)
    )
    return {tag_id: (count, newest) for tag_id, count, newest in rows}


def featured(account: Account) -> list[FeaturedTagView]:
    """The account's featured tags, most used first (3 queries)."""
    rows = list(
        db.session.scalars(
            select(FeaturedTag)
            .where(FeaturedTag.account_id == account.id)
            .options(selectinload(FeaturedTag.tag))
        )
    )
    usage = _public_usage(account.id, [r.tag_id for r in rows])
    views = [FeaturedTagView(r, *usage.get(r.tag_id, (0, None))) for r in rows]
    return sorted(views, key=lambda v: (-v.statuses_count, v.row.id))


def feature(*, account: Account, name: str) -> FeaturedTagView:
    """Feature a hashtag (given with or without `#`); at most ten per account."""
    display = (name or "").strip().removeprefix("#").removeprefix("\uff03")
    if not display:
        raise accounts.invalid("name", "ERR_BLANK", "can't be blank")
    if len(display) > tags.MAX_TAG:
        raise accounts.too_long("name", tags.MAX_TAG)
    if not is_valid_tag_name(display):
        raise accounts.invalid("name", "ERR_INVALID", "is invalid")
    existing = select(FeaturedTag.id).join(Tag, Tag.id == FeaturedTag.tag_id)
    if db.session.scalar(
        existing.where(FeaturedTag.account_id == account.id, Tag.name == normalize_tag(display))
    ):
        raise accounts.invalid("name", "ERR_TAKEN", "has already been taken")
    count = db.session.scalar(
        select(func.count(FeaturedTag.id)).where(FeaturedTag.account_id == account.id)
    )
    if (count or 0) >= LIMIT:
        raise Unprocessable(
            "Validation failed: You have already featured the maximum number of hashtags"
        )
    tag = tags.find_or_create([display])[0]
    row = FeaturedTag(account_id=account.id, tag_id=tag.id, name=display)
    db.session.add(row)
    db.session.commit()
    return FeaturedTagView(row, *_public_usage(account.id, [tag.id]).get(tag.id, (0, None)))


def unfeature(*, account: Account, featured_tag_id: int | str) -> None:
    key = parse_id(featured_tag_id)
    row = db.session.get(FeaturedTag, key) if key is not None else None
    if row is None or row.account_id != account.id:
        raise NotFound("Record not found")
    db.session.delete(row)
    db.session.commit()


def suggestions(account: Account) -> list[Tag]:
    """The tags the account used most in its recent posts, not featured yet."""
    recent = (
        select(Status.id)
        .where(Status.account_id == account.id, Status.deleted_at.is_(None))
        .order_by(Status.id.desc())
        .limit(RECENT_STATUSES)
        .subquery()
    )
    already = select(FeaturedTag.tag_id).where(FeaturedTag.account_id == account.id)
    uses = func.count(StatusTag.status_id)
    query = (
        select(Tag)
        .join(StatusTag, StatusTag.tag_id == Tag.id)
        .join(recent, recent.c.id == StatusTag.status_id)
        .where(Tag.id.not_in(already))
        .group_by(Tag.id)
        .order_by(uses.desc(), Tag.name)
        .limit(SUGGESTIONS)
    )
    return list(db.session.scalars(query))


def history(tag_ids: list[int], *, days: int = 7) -> dict[int, list[dict[str, str]]]:
    """Daily uses (statuses) and accounts per tag over the last `days` days, newest day first,
    as Mastodon's Tag history (strings; day is the Unix time of midnight UTC). One query."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days - 1)
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    if tag_ids:
        day = func.date(Status.created_at)
        rows = db.session.execute(
            select(
                StatusTag.tag_id,
                day,
                func.count(Status.id),
                func.count(Status.account_id.distinct()),
            )
            .join(Status, Status.id == StatusTag.status_id)
            .where(
                StatusTag.tag_id.in_(tag_ids),
                Status.id >= id_at(start),
                Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED]),
                Status.deleted_at.is_(None),
            )
            .group_by(StatusTag.tag_id, day)
        )
        counts = {(t, str(d)[:10]): (uses, accounts_) for t, d, uses, accounts_ in rows}
    out: dict[int, list[dict[str, str]]] = {}
    for tag_id in tag_ids:
        out[tag_id] = []
        for back in range(days):
            when = today - timedelta(days=back)
            uses, accounts_ = counts.get((tag_id, when.date().isoformat()), (0, 0))
            out[tag_id].append(
                {"day": str(int(when.timestamp())), "uses": str(uses), "accounts": str(accounts_)}
            )
    return out
