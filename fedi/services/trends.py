"""What is in use lately: hashtag and link usage per day, trending hashtags, statuses and links.

Counted straight from the database over the last seven days of public and unlisted original posts
(links: public ones only, as Mastodon's), local and remote. Status ids are Snowflakes, so "since"
is an id bound and a day is an id range: each query reads one index range.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import distinct, func, select

from fedi.extensions import db
from fedi.ids import id_at
from fedi.models import (
    Account,
    PreviewCard,
    PreviewCardStatus,
    Status,
    StatusTag,
    Tag,
    Visibility,
    utcnow,
)
from fedi.services import relations, timelines

DAYS = 7
DAY = timedelta(days=1)
DAY_IDS = 86_400_000 << 16  # one day of Snowflake ids (milliseconds << 16)
LISTED = (Visibility.PUBLIC, Visibility.UNLISTED)
# A link trends once this many accounts shared it in the last seven days (Mastodon asks more of
# its larger servers); fewer is one person's enthusiasm, not a trend.
LINK_ACCOUNTS = 2


def _today() -> datetime:
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)


def _counted(query):
    """Live original public or unlisted posts by accounts neither silenced nor suspended."""
    return query.where(
        Status.visibility.in_(LISTED),
        Status.deleted_at.is_(None),
        Status.reblog_of_id.is_(None),
        Account.suspended_at.is_(None),
        Account.silenced_at.is_(None),
    )


def _shared(query):
    """Live original public posts, not sensitive, by accounts neither silenced nor suspended:
    the posts whose links count."""
    return query.where(
        Status.visibility == Visibility.PUBLIC,
        Status.deleted_at.is_(None),
        Status.reblog_of_id.is_(None),
        Status.sensitive.is_(False),
        Account.suspended_at.is_(None),
        Account.silenced_at.is_(None),
    )


def _history(key, status_id, ids: list[int], counted) -> dict[int, list[dict[str, str]]]:
    """Per id of `key` (a column of the table joining it to statuses by `status_id`), seven days
    newest first: {day (midnight, unix time), uses, accounts} as strings."""
    first = _today() - (DAYS - 1) * DAY
    days = [first + i * DAY for i in range(DAYS)]
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    if ids:
        start = id_at(first)
        bucket = ((status_id - start) // DAY_IDS).label("bucket")
        query = (
            select(key, bucket, func.count(), func.count(distinct(Status.account_id)))
            .join(Status, Status.id == status_id)
            .join(Account, Account.id == Status.account_id)
            .where(key.in_(ids), status_id >= start)
            .group_by(key, bucket)
        )
        for key_id, day, uses, accounts in db.session.execute(counted(query)):
            counts[(key_id, int(day))] = (uses, accounts)
    return {
        key_id: [
            {
                "day": str(int(days[i].timestamp())),
                "uses": str(counts.get((key_id, i), (0, 0))[0]),
                "accounts": str(counts.get((key_id, i), (0, 0))[1]),
            }
            for i in reversed(range(DAYS))
        ]
        for key_id in ids
    }


def tag_history(tag_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """Per tag, seven days newest first: {day (midnight, unix time), uses, accounts} as strings."""
    return _history(StatusTag.tag_id, StatusTag.status_id, tag_ids, _counted)


def link_history(card_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """Per preview card, seven days of the public posts that link to it, as `tag_history`."""
    return _history(
        PreviewCardStatus.preview_card_id, PreviewCardStatus.status_id, card_ids, _shared
    )


def _need_review() -> bool:
    return bool(current_app.config["FEDI"].TRENDS_NEED_REVIEW)


def trending_tags(*, offset: int, limit: int, reviewing: bool = False) -> list[Tag]:
    """Hashtags used by the most distinct accounts over the last seven days: those a moderator
    did not reject, or, when TRENDS_NEED_REVIEW is set, only those approved. `reviewing`: every
    candidate, whatever its review (the moderators' review page)."""
    since = id_at(utcnow() - DAYS * DAY)
    accounts = func.count(distinct(Status.account_id))
    query = (
        select(Tag.id)
        .join(StatusTag, StatusTag.tag_id == Tag.id)
        .join(Status, Status.id == StatusTag.status_id)
        .join(Account, Account.id == Status.account_id)
        .where(StatusTag.status_id >= since, Tag.listable.is_(True), Tag.usable.is_(True))
        .group_by(Tag.id)
        .order_by(accounts.desc(), Tag.id.desc())
        .offset(offset)
        .limit(limit)
    )
    if not reviewing:
        query = query.where(Tag.trendable.is_(True))
        if _need_review():
            query = query.where(Tag.reviewed_at.is_not(None))
    ids = list(db.session.scalars(_counted(query)))
    by_id = {t.id: t for t in db.session.scalars(select(Tag).where(Tag.id.in_(ids)))} if ids else {}
    return [by_id[i] for i in ids]


def trending_statuses(
    viewer: Account | None, *, offset: int, limit: int, reviewing: bool = False
) -> list[Status]:
    """Public original posts of the last seven days with the most boosts and favourites (at
    least one), from discoverable accounts, not replies and not sensitive; not rejected by a
    moderator, or, when TRENDS_NEED_REVIEW is set, approved. `reviewing`: every candidate."""
    since = id_at(utcnow() - DAYS * DAY)
    score = Status.reblogs_count + Status.favourites_count
    query = (
        select(Status.id)
        .join(Account, Account.id == Status.account_id)
        .where(
            Status.id >= since,
            Status.visibility == Visibility.PUBLIC,
            Status.deleted_at.is_(None),
            Status.reblog_of_id.is_(None),
            Status.in_reply_to_id.is_(None),
            Status.sensitive.is_(False),
            score > 0,
            Account.discoverable.is_(True),
            Account.suspended_at.is_(None),
            Account.silenced_at.is_(None),
        )
        .order_by(score.desc(), Status.id.desc())
        .offset(offset)
        .limit(limit)
    )
    if not reviewing:
        approved = Status.trendable.is_(True)
        query = query.where(approved if _need_review() else Status.trendable.is_not(False))
    if viewer is not None:
        query = query.where(Status.account_id.not_in(relations.hidden_authors(viewer.id)))
    return timelines.load(list(db.session.scalars(query)))


def trending_links(*, offset: int, limit: int, reviewing: bool = False) -> list[PreviewCard]:
    """The preview cards whose link the most distinct accounts shared in public posts over the
    last seven days (at least LINK_ACCOUNTS of them): those a moderator did not reject, or, when
    TRENDS_NEED_REVIEW is set, only those approved. `reviewing`: every candidate, whatever its
    review (the moderators' review page)."""
    since = id_at(utcnow() - DAYS * DAY)
    accounts = func.count(distinct(Status.account_id))
    query = (
        select(PreviewCardStatus.preview_card_id)
        .join(Status, Status.id == PreviewCardStatus.status_id)
        .join(Account, Account.id == Status.account_id)
        .where(PreviewCardStatus.status_id >= since)
        .group_by(PreviewCardStatus.preview_card_id)
        .having(accounts >= LINK_ACCOUNTS)
        .order_by(accounts.desc(), PreviewCardStatus.preview_card_id.desc())
        .offset(offset)
        .limit(limit)
    )
    if not reviewing:
        query = query.join(PreviewCard, PreviewCard.id == PreviewCardStatus.preview_card_id)
        approved = PreviewCard.trendable.is_(True)
        query = query.where(approved if _need_review() else PreviewCard.trendable.is_not(False))
    ids = list(db.session.scalars(_shared(query)))
    cards = db.session.scalars(select(PreviewCard).where(PreviewCard.id.in_(ids))) if ids else ()
    by_id = {c.id: c for c in cards}
    return [by_id[i] for i in ids if i in by_id]
