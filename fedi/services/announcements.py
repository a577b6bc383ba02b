"""Staff announcements for local users: listing, dismissing, emoji reactions."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, or_, select

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import (
    Account,
    Announcement,
    AnnouncementDismissal,
    AnnouncementReaction,
    CustomEmoji,
    Status,
    Tag,
    Visibility,
    utcnow,
)
from fedi.services import accounts, custom_emojis, instance, search, tags
from fedi.services.upsert import insert_ignore
from fedi.text import parse

_TAG = re.compile(r"<[^>]*>")
_SHORTCODE = re.compile(r":([a-zA-Z0-9_]{2,}):")


@dataclass
class Reaction:
    name: str
    count: int
    me: bool
    emoji: CustomEmoji | None = None


def _many() -> defaultdict:
    return defaultdict(list)


@dataclass
class Details:
    """What the Announcement entities of one page need: the viewer's dismissals, reactions, and
    the accounts, hashtags, statuses and custom emoji the texts refer to."""

    dismissed: set[int] = field(default_factory=set)
    reactions: dict[int, list[Reaction]] = field(default_factory=_many)
    mentions: dict[int, list[Account]] = field(default_factory=_many)
    tags: dict[int, list[Tag]] = field(default_factory=_many)
    statuses: dict[int, list[Status]] = field(default_factory=_many)
    emojis: dict[int, list[CustomEmoji]] = field(default_factory=_many)


def active(viewer: Account, *, with_dismissed: bool = True) -> list[Announcement]:
    """Published announcements that have not ended, oldest first."""
    now = utcnow()
    query = select(Announcement).where(
        Announcement.published.is_(True),
        or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
    )
    if not with_dismissed:
        query = query.where(
            Announcement.id.not_in(
                select(AnnouncementDismissal.announcement_id).where(
                    AnnouncementDismissal.account_id == viewer.id
                )
            )
        )
    start = func.coalesce(
        Announcement.starts_at, Announcement.published_at, Announcement.created_at
    )
    return list(db.session.scalars(query.order_by(start, Announcement.id)))


def unread(viewer: Account) -> list[Announcement]:
    """What the home page shows: the live announcements the viewer has not dismissed. Whether
    any is live at all is remembered per process (services/instance.py's cache, dropped on any
    write here and after STATS_TTL elsewhere), so the usual case costs no query."""
    if not instance.cached("announcements live", lambda: bool(_live_ids())):
        return []
    return active(viewer, with_dismissed=False)


def _live_ids() -> list[int]:
    now = utcnow()
    query = select(Announcement.id).where(
        Announcement.published.is_(True),
        or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
    )
    return list(db.session.scalars(query.limit(1)))


def get_published(announcement_id) -> Announcement:
    key = parse_id(announcement_id)
    row = db.session.get(Announcement, key) if key is not None else None
    if row is None or not row.published:
        raise NotFound("Record not found")
    return row


def details(viewer: Account, rows: list[Announcement]) -> Details:
    out = Details()
    ids = [r.id for r in rows]
    if not ids:
        return out
    out.dismissed = set(
        db.session.scalars(
            select(AnnouncementDismissal.announcement_id).where(
                AnnouncementDismissal.account_id == viewer.id,
                AnnouncementDismissal.announcement_id.in_(ids),
            )
        )
    )
    mine = func.sum(case((AnnouncementReaction.account_id == viewer.id, 1), else_=0))
    counted = db.session.execute(
        select(
            AnnouncementReaction.announcement_id,
            AnnouncementReaction.name,
            func.count(),
            mine,
            CustomEmoji,
        )
        .outerjoin(CustomEmoji, CustomEmoji.id == AnnouncementReaction.custom_emoji_id)
        .where(AnnouncementReaction.announcement_id.in_(ids))
        .group_by(AnnouncementReaction.announcement_id, AnnouncementReaction.name, CustomEmoji.id)
        .order_by(func.min(AnnouncementReaction.id))
    )
    for announcement_id, name, count, me, emoji in counted:
        out.reactions[announcement_id].append(Reaction(name, count, bool(me), emoji))
    for row in rows:
        _references(row, out)
    return out


def _plain(html_text: str) -> str:
    return html.unescape(_TAG.sub(" ", html_text))


def _references(row: Announcement, out: Details) -> None:
    """Accounts, hashtags and public local statuses named in the text, and its custom emoji."""
    text = _plain(row.text)
    for entity in parse.extract_entities(text):
        if isinstance(entity, parse.Mention):
            account = accounts.find_by_acct(entity.username, entity.domain)
            if account is not None and account not in out.mentions[row.id]:
                out.mentions[row.id].append(account)
        elif isinstance(entity, parse.Hashtag):
            tag = tags.find(entity.name)
            if tag is not None and tag not in out.tags[row.id]:
                out.tags[row.id].append(tag)
        else:
            status = search.status_at(entity.url)
            if status is not None and status.visibility == Visibility.PUBLIC and status.local:
                out.statuses[row.id].append(status)
    codes = set(_SHORTCODE.findall(text))
    if codes:
        out.emojis[row.id] = [e for e in custom_emojis.listed() if e.shortcode in codes]


def dismiss(*, announcement: Announcement, by: Account) -> None:
    db.session.execute(
        insert_ignore(
            AnnouncementDismissal,
            [{"account_id": by.id, "announcement_id": announcement.id}],
            ["account_id", "announcement_id"],
        )
    )
    db.session.commit()


def _emoji(name: str) -> CustomEmoji | None:
    """The custom emoji a reaction name stands for; None for unicode emoji; 422 otherwise."""
    emoji = custom_emojis.find_local(name)
    if emoji is None and not custom_emojis.is_unicode_emoji(name):
        raise Unprocessable("Validation failed: Name is not a recognized emoji")
    return emoji


def add_reaction(*, announcement: Announcement, by: Account, name: str) -> None:
    emoji = _emoji(name)
    db.session.execute(
        insert_ignore(
            AnnouncementReaction,
            [{"account_id": by.id, "announcement_id": announcement.id, "name": name,
              "custom_emoji_id": emoji.id if emoji else None}],
            ["account_id", "announcement_id", "name"],
        )
    )  # fmt: skip
    db.session.commit()


def remove_reaction(*, announcement: Announcement, by: Account, name: str) -> None:
    _emoji(name)
    db.session.execute(
        delete(AnnouncementReaction).where(
            AnnouncementReaction.account_id == by.id,
            AnnouncementReaction.announcement_id == announcement.id,
            AnnouncementReaction.name == name,
        )
    )
    db.session.commit()
