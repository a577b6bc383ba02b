"""Following: requests for locked accounts, approval, unfollowing."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from fedi import queue
from fedi.errors import Forbidden, NotFound
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, AccountPin, FeedEntry, Follow, FollowRequest
from fedi.services import counters, relations
from fedi.services.pagination import PageParams


def _find(model, account_id: int, target_id: int):
    return db.session.scalar(
        select(model).where(model.account_id == account_id, model.target_account_id == target_id)
    )


def follow(
    *, account: Account, target: Account, reblogs: bool | None = None,
    notify: bool | None = None, languages: list[str] | None = None,
) -> Follow | FollowRequest:  # fmt: skip
    """Follow `target`, or ask to when it is locked or remote (until it accepts).

    Following again updates the options given (None keeps an option as it is; an empty
    `languages` list means every language again).
    """
    if account.id == target.id or target.suspended_at is not None:
        raise Forbidden("This action is not allowed")
    if relations.blocks_either_way(account.id, target.id) or relations.is_domain_blocking(
        account.id, target.domain
    ):
        raise Forbidden("This action is not allowed")
    given = {"show_reblogs": reblogs, "notify": notify, "languages": languages}
    existing = _find(Follow, account.id, target.id) or _find(FollowRequest, account.id, target.id)
    if existing is not None:
        for key, value in given.items():
            if value is not None:
                setattr(existing, key, (value or None) if key == "languages" else value)
        db.session.commit()
        return existing
    options = {
        "show_reblogs": True if reblogs is None else reblogs,
        "notify": bool(notify),
        "languages": languages or None,
    }
    if target.locked or not target.local:
        request = FollowRequest(
            id=new_id(), account_id=account.id, target_account_id=target.id, **options
        )
        request.uri = f"{account.uri}#follows/{request.id}"
        db.session.add(request)
        db.session.commit()
        queue.enqueue("follow_requested", request.id)
        queue.enqueue("federate_follow", request.id)
        return request
    created = _create_follow(account.id, target.id, uri=None, **options)
    db.session.commit()
    queue.enqueue("followed", created.id)
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
    queue.enqueue("follow_accepted", created.id)
    queue.enqueue("federate_accept", created.id)
    return created


def reject_request(*, target: Account, requester: Account) -> None:
    request = _find(FollowRequest, requester.id, target.id)
    if request is None:
        raise NotFound("Record not found")
    db.session.delete(request)
    db.session.commit()
    queue.enqueue("federate_reject", request.id, requester.id, target.id, request.uri)


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
    queue.enqueue("federate_undo_follow", account.id, target.id)


def remove_from_followers(*, account: Account, follower: Account) -> None:
    """`follower` no longer follows `account`. A remote follower of a local account is told
    with a Reject of its Follow, so its server drops the follow too (as Mastodon does)."""
    row = _find(Follow, follower.id, account.id)
    answer = (row.id, row.uri) if row is not None else None
    if _remove_follow(follower.id, account.id):
        db.session.execute(
            delete(FeedEntry).where(
                FeedEntry.account_id == follower.id, FeedEntry.author_id == account.id
            )
        )
    db.session.commit()
    if answer is not None and account.local and not follower.local:
        queue.enqueue("federate_reject", answer[0], follower.id, account.id, answer[1])


def _remove_follow(account_id: int, target_id: int) -> bool:
    row = _find(Follow, account_id, target_id)
    if row is None:
        return False
    db.session.delete(row)
    counters.bump(Account, account_id, "following_count", -1)
    counters.bump(Account, target_id, "followers_count", -1)
    # An endorsement only lasts as long as the follow.
    db.session.execute(
        delete(AccountPin).where(
            AccountPin.account_id == account_id, AccountPin.target_account_id == target_id
        )
    )
    return True


def cut_off(account: Account, others) -> None:
    """End every follow and follow request, either way, between `account` and the accounts in
    `others` (a select of ids: a domain block does this for a whole domain). The caller
    commits."""
    rows = db.session.scalars(
        select(Follow).where(
            or_(
                (Follow.target_account_id == account.id) & Follow.account_id.in_(others),
                (Follow.account_id == account.id) & Follow.target_account_id.in_(others),
            )
        )
    )
    for row in list(rows):
        _remove_follow(row.account_id, row.target_account_id)
    db.session.execute(
        delete(FollowRequest).where(
            or_(
                (FollowRequest.target_account_id == account.id)
                & FollowRequest.account_id.in_(others),
                (FollowRequest.account_id == account.id)
                & FollowRequest.target_account_id.in_(others),
            )
        )
    )


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


def collections_hidden(account: Account, viewer: Account | None) -> bool:
    """Whether the viewer may not list whom `account` follows and who follows it: a suspended
    account, one that hides its collections (from everyone but itself), or one blocking the
    viewer."""
    if account.suspended_at is not None:
        return True
    if viewer is not None and viewer.id == account.id:
        return False
    if account.hide_collections:
        return True
    return viewer is not None and relations.is_blocking(account.id, viewer.id)


def followers_page(
    account: Account, viewer: Account | None, page: PageParams
) -> list[tuple[int, Account]]:
    """(follow id, follower) pairs, newest follow first, paged by follow id."""
    return _page(account, viewer, page, followers=True)


def following_page(
    account: Account, viewer: Account | None, page: PageParams
) -> list[tuple[int, Account]]:
    """(follow id, followed account) pairs, newest follow first, paged by follow id."""
    return _page(account, viewer, page, followers=False)


def _page(account: Account, viewer: Account | None, page: PageParams, *, followers: bool):
    if collections_hidden(account, viewer):
        return []
    mine, other = (
        (Follow.target_account_id, Follow.account_id)
        if followers
        else (Follow.account_id, Follow.target_account_id)
    )
    query = (
        select(Follow.id, Account)
        .join(Account, Account.id == other)
        .where(mine == account.id, Account.suspended_at.is_(None))
    )
    if viewer is not None and viewer.id != account.id:
        query = query.where(other.not_in(relations.hidden_authors(viewer.id)))
    return _pairs(page, query, Follow.id)


def _pairs(page: PageParams, query, key) -> list[tuple[int, Account]]:
    return [
        (row_id, acc)
        for row_id, acc in page.finish(db.session.execute(page.apply(query, key)).all())
    ]


def requests_page(account: Account, page: PageParams) -> list[tuple[int, Account]]:
    """Pending requests to follow `account`: (request id, requester), newest first."""
    query = (
        select(FollowRequest.id, Account)
        .join(Account, Account.id == FollowRequest.account_id)
        .where(FollowRequest.target_account_id == account.id)
    )
    return _pairs(page, query, FollowRequest.id)


def pending_requests_count(account: Account, *, cap: int = 40) -> int:
    """How many follow requests wait for `account` (counted up to `cap`, as Mastodon does)."""
    capped = (
        select(FollowRequest.id).where(FollowRequest.target_account_id == account.id).limit(cap)
    )
    return db.session.scalar(select(func.count()).select_from(capped.subquery())) or 0
