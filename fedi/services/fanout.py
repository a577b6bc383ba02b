"""Fan-out on write: put a new status into local home feeds, notify, and publish live events.

Runs in a task after the status is committed. Feeds hold what each recipient's home timeline shows:
the author's own posts, posts of followed accounts (replies only when the recipient also follows
the replied-to account), boosts (unless hidden for that follow, or the original is already there),
and direct messages to mentioned followers.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from fedi.events import channels
from fedi.extensions import db
from fedi.models import (
    Account,
    AccountDomainBlock,
    Block,
    FeedEntry,
    Follow,
    Mention,
    Mute,
    NotificationType,
    Status,
    StatusTag,
    Tag,
    Visibility,
    utcnow,
)
from fedi.services import conversations, lists, notifications, tag_follows
from fedi.services.upsert import insert_ignore

CHUNK = 1000


def fan_out_status(status_id: int) -> None:
    status = db.session.get(
        Status, status_id, options=[selectinload(Status.account), selectinload(Status.reblog)]
    )
    if status is None or status.deleted_at is not None:
        return
    recipients = _home_recipients(status)
    _insert_entries(status, recipients)
    created = _notify(status)
    db.session.commit()
    channels.publish_update([channels.user(r) for r in recipients], status.id)
    channels.publish_update(_broadcast_channels(status), status.id)
    notifications.publish(created)
    conversations.record_direct_status(status)


def _home_recipients(status: Status) -> list[int]:
    author = status.account
    mentioned = _mentioned_ids(status)
    followers_q = (
        select(Follow.account_id)
        .join(Account, Account.id == Follow.account_id)
        .where(Follow.target_account_id == author.id, Account.domain.is_(None))
    )
    if status.reblog is not None:
        followers_q = followers_q.where(Follow.show_reblogs.is_(True))
    if status.visibility == Visibility.DIRECT:
        followers_q = followers_q.where(Follow.account_id.in_(mentioned or [0]))
    candidates = set(db.session.scalars(followers_q)) | set(tag_follows.tag_followers(status))
    candidates -= lists.exclusive_owners(author.id, candidates)
    if author.local:
        candidates.add(author.id)
    candidates -= _not_wanting(candidates, status)
    if status.in_reply_to_account_id and status.in_reply_to_account_id != author.id:
        candidates = _reply_audience(candidates, status)
    if status.reblog is not None:
        candidates = _without_duplicate_boosts(candidates, status.reblog)
    return sorted(candidates)


def _mentioned_ids(status: Status) -> list[int]:
    return list(
        db.session.scalars(select(Mention.account_id).where(Mention.status_id == status.id))
    )


def _not_wanting(candidates: set[int], status: Status) -> set[int]:
    """Recipients who block, are blocked by, mute or domain-block the author (or the original's)."""
    if not candidates:
        return set()
    authors = [status.account]
    if status.reblog is not None:
        authors.append(db.session.get(Account, status.reblog.account_id))
    ids = list(candidates)
    unwanted: set[int] = set()
    for author in authors:
        unwanted |= set(
            db.session.scalars(
                select(Block.account_id).where(
                    Block.account_id.in_(ids), Block.target_account_id == author.id
                )
            )
        )
        unwanted |= set(
            db.session.scalars(
                select(Block.target_account_id).where(
                    Block.account_id == author.id, Block.target_account_id.in_(ids)
                )
            )
        )
        unwanted |= set(
            db.session.scalars(
                select(Mute.account_id).where(
                    Mute.account_id.in_(ids),
                    Mute.target_account_id == author.id,
                    or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()),
                )
            )
        )
        if author.domain:
            unwanted |= set(
                db.session.scalars(
                    select(AccountDomainBlock.account_id).where(
                        AccountDomainBlock.account_id.in_(ids),
                        AccountDomainBlock.domain == author.domain,
                    )
                )
            )
    unwanted.discard(status.account_id)
    return unwanted


def _reply_audience(candidates: set[int], status: Status) -> set[int]:
    """A reply reaches home feeds of those who follow both sides (and the replied-to account)."""
    replied = status.in_reply_to_account_id
    keep = {status.account_id, replied} & candidates
    follow_replied = set(
        db.session.scalars(
            select(Follow.account_id).where(
                Follow.target_account_id == replied, Follow.account_id.in_(list(candidates))
            )
        )
    )
    return keep | (candidates & follow_replied)


def _without_duplicate_boosts(candidates: set[int], original: Status) -> set[int]:
    """Skip recipients who wrote the original or already have it (or a boost of it)."""
    if not candidates:
        return candidates
    have = set(
        db.session.scalars(
            select(FeedEntry.account_id).where(
                FeedEntry.account_id.in_(list(candidates)),
                or_(FeedEntry.status_id == original.id, FeedEntry.reblog_of_id == original.id),
            )
        )
    )
    return candidates - have - {original.account_id}


def _insert_entries(status: Status, recipients: list[int]) -> None:
    rows = [
        {
            "account_id": r,
            "status_id": status.id,
            "author_id": status.account_id,
            "reblog_of_id": status.reblog_of_id,
        }
        for r in recipients
    ]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(
            insert_ignore(FeedEntry, rows[start : start + CHUNK], ["account_id", "status_id"])
        )


def _notify(status: Status) -> list:
    author = status.account
    if status.reblog is not None:
        return notifications.notify_many(
            recipients=[status.reblog.account_id], sender=author,
            type_=NotificationType.REBLOG, status_id=status.reblog.id,
        )  # fmt: skip
    created = notifications.notify_many(
        recipients=_mentioned_ids(status), sender=author,
        type_=NotificationType.MENTION, status_id=status.id,
    )  # fmt: skip
    if status.visibility != Visibility.DIRECT and status.in_reply_to_id is None:
        subscribers = db.session.scalars(
            select(Follow.account_id).where(
                Follow.target_account_id == author.id, Follow.notify.is_(True)
            )
        )
        created += notifications.notify_many(
            recipients=list(subscribers), sender=author,
            type_=NotificationType.STATUS, status_id=status.id,
        )  # fmt: skip
    return created


def _broadcast_channels(status: Status) -> list[str]:
    """Public, hashtag and direct streams (the home streams are per recipient)."""
    if status.visibility == Visibility.DIRECT:
        ids = {status.account_id, *_mentioned_ids(status)}
        return [channels.direct(i) for i in sorted(ids)]
    if status.visibility != Visibility.PUBLIC or status.reblog is not None:
        return []
    author = status.account
    if author.silenced_at is not None or author.suspended_at is not None:
        return []  # limited and suspended accounts stay out of the public timelines
    local = status.local
    names = [channels.PUBLIC, channels.PUBLIC_LOCAL if local else channels.PUBLIC_REMOTE]
    for name in _tag_names(status.id):
        names.append(channels.hashtag(name))
        if local:
            names.append(channels.hashtag(name, local=True))
    return names


def _tag_names(status_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Tag.name)
            .join(StatusTag, StatusTag.tag_id == Tag.id)
            .where(StatusTag.status_id == status_id)
        )
    )


def publish_removal(status_id: int) -> None:
    """Tell live timelines that a status is gone (its feed rows were removed with it)."""
    status = db.session.get(Status, status_id)
    if status is None:
        return
    local_followers = db.session.scalars(
        select(Follow.account_id)
        .join(Account, Account.id == Follow.account_id)
        .where(Follow.target_account_id == status.account_id, Account.domain.is_(None))
    )
    names = {channels.user(i) for i in local_followers} | {channels.user(status.account_id)}
    names |= {channels.user(i) for i in _mentioned_ids(status)}
    names |= set(_broadcast_channels_for_removal(status))
    channels.publish_delete(sorted(names), status.id)
    conversations.remove_direct_status(status)


def _broadcast_channels_for_removal(status: Status) -> list[str]:
    names = [channels.PUBLIC, channels.PUBLIC_LOCAL if status.local else channels.PUBLIC_REMOTE]
    for name in _tag_names(status.id):
        names += [channels.hashtag(name), channels.hashtag(name, local=True)]
    return names


MERGE_LIMIT = 40


def merge_into_home(follower_id: int, target_id: int) -> None:
    """After a new follow, bring the followed account's recent posts into the follower's feed."""
    follower = db.session.get(Account, follower_id)
    if follower is None or not follower.local:
        return
    recent = db.session.scalars(
        select(Status)
        .where(
            Status.account_id == target_id,
            Status.deleted_at.is_(None),
            Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE]),
            or_(Status.in_reply_to_id.is_(None), Status.in_reply_to_account_id == target_id),
        )
        .order_by(Status.id.desc())
        .limit(MERGE_LIMIT)
    )
    rows = [
        {"account_id": follower_id, "status_id": s.id, "author_id": s.account_id,
         "reblog_of_id": s.reblog_of_id}
        for s in recent
    ]  # fmt: skip
    if rows:
        db.session.execute(insert_ignore(FeedEntry, rows, ["account_id", "status_id"]))
    db.session.commit()
