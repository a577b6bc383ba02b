"""What remote actors do to local ones: follow, favourite, boost, block, move, leave. Each
builds on the same services as local actions, keeping the remote activity id for its Undo."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from fedi import queue
from fedi.errors import DomainError
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Account,
    Block,
    Favourite,
    FeedEntry,
    Follow,
    FollowRequest,
    Mute,
    Notification,
    Status,
    Visibility,
    utcnow,
)
from fedi.services import counters, follows, interactions, statuses, visibility


def _find(model, account_id: int, target_id: int):
    return db.session.scalar(
        select(model).where(model.account_id == account_id, model.target_account_id == target_id)
    )


def receive_follow(
    *, follower: Account, target: Account, uri: str
) -> Follow | FollowRequest | None:
    """A remote Follow: a follow for an unlocked account, a request for a locked one (both
    notify the target). None when it is not allowed (blocks, suspension)."""
    try:
        row = follows.follow(account=follower, target=target)
    except DomainError:
        return None
    row.uri = uri
    db.session.commit()
    return row


def accept_follow(*, target: Account, requester: Account) -> Follow | None:
    """A remote account accepted the local requester's follow request."""
    try:
        return follows.authorize_request(target=target, requester=requester)
    except DomainError:
        return _find(Follow, requester.id, target.id)


def reject_follow(*, target: Account, requester: Account) -> None:
    """A remote account rejected (or ended) the local account's follow or request. Nothing is
    sent back (an unfollow would send an Undo)."""
    db.session.execute(
        delete(FollowRequest).where(
            FollowRequest.account_id == requester.id, FollowRequest.target_account_id == target.id
        )
    )
    follows.remove_from_followers(account=target, follower=requester)


def receive_like(*, by: Account, status: Status, uri: str) -> Favourite | None:
    try:
        favourite = interactions.favourite(status=status, by=by)
    except DomainError:
        return None
    favourite.uri = uri
    db.session.commit()
    return favourite


def receive_boost(
    *, by: Account, original: Status, uri: str, published: datetime | None,
    visibility_: Visibility,
) -> Status | None:  # fmt: skip
    """A remote boost of a public or unlisted status the booster may see."""
    if original.reblog_of_id is not None or not visibility.can_reblog(by, original):
        return None
    existing = db.session.scalar(select(Status).where(Status.uri == uri))
    if existing is not None:
        return existing
    at = min(published or utcnow(), utcnow())
    boost = Status(
        id=new_id(at), uri=uri, url=original.url, account_id=by.id, reblog_of_id=original.id,
        visibility=visibility_, local=False, created_at=at,
    )  # fmt: skip
    db.session.add(boost)
    counters.bump(Status, original.id, "reblogs_count", 1)
    counters.bump(Account, by.id, "statuses_count", 1)
    db.session.commit()
    queue.enqueue("fan_out_status", boost.id)
    return boost


def undo_boost(*, by: Account, uri: str) -> bool:
    boost = db.session.scalar(
        select(Status).where(
            Status.uri == uri, Status.account_id == by.id, Status.reblog_of_id.is_not(None)
        )
    )
    if boost is None or boost.deleted_at is not None:
        return False
    statuses.remove(boost)
    db.session.commit()
    queue.enqueue("status_removed", boost.id)
    return True


def move_followers(*, old: Account, new: Account) -> int:
    """`old` moved to `new` (which lists `old` as an alias): local followers of `old` follow
    `new` instead. Returns how many were moved."""
    old.moved_to_account_id = new.id
    db.session.commit()
    followers = list(
        db.session.scalars(
            select(Account)
            .join(Follow, Follow.account_id == Account.id)
            .where(Follow.target_account_id == old.id, Account.domain.is_(None))
        )
    )
    moved = 0
    for follower in followers:
        try:
            follows.follow(account=follower, target=new)
        except DomainError:
            continue
        follows.unfollow(account=follower, target=old)
        moved += 1
    return moved


def remove_account_content(account: Account) -> int:
    """The actor was deleted at its origin: its statuses and boosts leave every feed, its
    favourites (and their counts), follows and requests either way, blocks and mutes, and
    the notifications it caused are gone, and the account is marked suspended so nothing of
    it shows again. Returns how many statuses and boosts were removed."""
    live = list(
        db.session.scalars(
            select(Status).where(Status.account_id == account.id, Status.deleted_at.is_(None))
        )
    )
    for status in live:
        statuses.remove(status)
    _drop_favourites(account)
    follows.cut_off(account, select(Account.id).where(Account.id != account.id))
    for model in (Block, Mute):
        db.session.execute(delete(model).where(model.account_id == account.id))
    db.session.execute(delete(FeedEntry).where(FeedEntry.author_id == account.id))
    db.session.execute(delete(Notification).where(Notification.from_account_id == account.id))
    account.suspended_at = account.suspended_at or utcnow()
    db.session.commit()
    for status in live:
        queue.enqueue("status_removed", status.id)
    return len(live)


def _drop_favourites(account: Account) -> None:
    favourited = select(Favourite.status_id).where(Favourite.account_id == account.id)
    db.session.execute(
        update(Status)
        .where(Status.id.in_(favourited), Status.favourites_count > 0)
        .values(favourites_count=Status.favourites_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(Favourite).where(Favourite.account_id == account.id))
