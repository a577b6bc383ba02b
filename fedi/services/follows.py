"""Following: requests for locked accounts, approval, unfollowing."""

from __future__ import annotations

from sqlalchemy import delete, select

from fedi import tasks
from fedi.errors import Forbidden, NotFound
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, FeedEntry, Follow, FollowRequest
from fedi.services import counters, relations


def _find(model, account_id: int, target_id: int):
    return db.session.scalar(
        select(model).where(model.account_id == account_id, model.target_account_id == target_id)
    )


def follow(
    *, account: Account, target: Account, reblogs: bool = True, notify: bool = False,
    languages: list[str] | None = None,
) -> Follow | FollowRequest:  # fmt: skip
    """Follow `target`, or ask to when it is locked or remote (until it accepts).

    Following again updates the options of the existing follow or request.
    """
    if account.id == target.id or target.suspended_at is not None:
        raise Forbidden("This action is not allowed")
    if relations.blocks_either_way(account.id, target.id):
        raise Forbidden("This action is not allowed")
    options = {"show_reblogs": reblogs, "notify": notify, "languages": languages}
    existing = _find(Follow, account.id, target.id) or _find(FollowRequest, account.id, target.id)
    if existing is not None:
        for key, value in options.items():
            setattr(existing, key, value)
        db.session.commit()
        return existing
    if target.locked or not target.local:
        request = FollowRequest(
            id=new_id(), account_id=account.id, target_account_id=target.id, **options
        )
        request.uri = f"{account.uri}#follows/{request.id}"
        db.session.add(request)
        db.session.commit()
        tasks.follow_requested(request.id)
        return request
    created = _create_follow(account.id, target.id, uri=None, **options)
    db.session.commit()
    tasks.followed(created.id)
    return created


def _create_follow(account_id: int, target_id: int, *, uri: str | None, **options) -> Follow:
    row = Follow(id=new_id(), account_id=account_id, target_account_id=target_id, **options)
    row.uri = uri
    db.session.add(row)
    counters.bump(Account, account_id, "following_count", 1)
    counters.bump(Account, target_id, "followers_count", 1)
    return row


def authorize_request(*, target: Account, requester: Account) -> Follow:
    """`target` accepts `requester`'s pending follow request."""
    request = _find(FollowRequest, requester.id, target.id)
    if request is None:
        existing = _find(Follow, requester.id, target.id)
        if existing is not None:
            return existing
        raise NotFound("Record not found")
    created = _create_follow(
        requester.id, target.id, uri=request.uri, show_reblogs=request.show_reblogs,
        notify=request.notify, languages=request.languages,
    )  # fmt: skip
    db.session.delete(request)
    db.session.commit()
    tasks.follow_accepted(created.id)
    return created


def reject_request(*, target: Account, requester: Account) -> None:
    request = _find(FollowRequest, requester.id, target.id)
    if request is None:
        raise NotFound("Record not found")
    db.session.delete(request)
    db.session.commit()


def unfollow(*, account: Account, target: Account) -> None:
    """Stop following (or withdraw the request); their posts leave the home feed at once."""
    request = _find(FollowRequest, account.id, target.id)
    if request is not None:
        db.session.delete(request)
    if _remove_follow(account.id, target.id):
        db.session.execute(
            delete(FeedEntry).where(
                FeedEntry.account_id == account.id, FeedEntry.author_id == target.id
            )
        )
    db.session.commit()


def remove_from_followers(*, account: Account, follower: Account) -> None:
    if _remove_follow(follower.id, account.id):
        db.session.execute(
            delete(FeedEntry).where(
                FeedEntry.account_id == follower.id, FeedEntry.author_id == account.id
            )
        )
    db.session.commit()


def _remove_follow(account_id: int, target_id: int) -> bool:
    row = _find(Follow, account_id, target_id)
    if row is None:
        return False
    db.session.delete(row)
    counters.bump(Account, account_id, "following_count", -1)
    counters.bump(Account, target_id, "followers_count", -1)
    return True


def sever(a_id: int, b_id: int) -> None:
    """Remove every follow and request between two accounts (a block does this; caller commits)."""
    for x, y in ((a_id, b_id), (b_id, a_id)):
        if _remove_follow(x, y):
            db.session.execute(
                delete(FeedEntry).where(FeedEntry.account_id == x, FeedEntry.author_id == y)
            )
        db.session.execute(
            delete(FollowRequest).where(
                FollowRequest.account_id == x, FollowRequest.target_account_id == y
            )
        )
