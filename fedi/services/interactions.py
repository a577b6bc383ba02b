"""Favourites, boosts, bookmarks, pins and conversation mutes: what an account does to a
status; and who favourited or boosted one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, func, literal_column, select, union_all

from fedi import queue, urls
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Account,
    Bookmark,
    ConversationMute,
    Favourite,
    Status,
    StatusPin,
    Visibility,
)
from fedi.services import counters, relations, statuses, visibility
from fedi.services.pagination import PageParams
from fedi.services.upsert import insert_ignore

MAX_PINS = 5


def _row(model, by: Account, status: Status):
    """The (account, status) row of a favourite, bookmark or pin, if there is one."""
    return db.session.scalar(
        select(model).where(model.account_id == by.id, model.status_id == status.id)
    )


def _original(status: Status) -> Status:
    return status.reblog if status.reblog is not None else status


def favourite(*, status: Status, by: Account) -> Favourite:
    status = _original(status)
    if not visibility.can_see(by, status):
        raise NotFound("Record not found")
    fav = _row(Favourite, by, status)
    if fav is not None:
        return fav
    fav = Favourite(id=new_id(), account_id=by.id, status_id=status.id)
    fav.uri = f"{by.uri}#likes/{fav.id}"
    db.session.add(fav)
    counters.bump(Status, status.id, "favourites_count", 1)
    db.session.commit()
    queue.enqueue("favourited", fav.id)
    queue.enqueue("federate_like", fav.id)
    return fav


def unfavourite(*, status: Status, by: Account) -> Status:
    status = _original(status)
    fav = _row(Favourite, by, status)
    if fav is not None:
        db.session.delete(fav)
        counters.bump(Status, status.id, "favourites_count", -1)
        db.session.commit()
        queue.enqueue("federate_undo_like", by.id, status.id)
    return status


def find_reblog(status: Status, by: Account) -> Status | None:
    return db.session.scalar(
        select(Status).where(
            Status.account_id == by.id,
            Status.reblog_of_id == status.id,
            Status.deleted_at.is_(None),
        )
    )


def reblog(*, status: Status, by: Account, visibility_: str | None = None) -> Status:
    """Boost a status (a boost of a boost boosts the original); boosting twice is a no-op."""
    original = _original(status)
    if not visibility.can_see(by, original):
        raise NotFound("Record not found")
    if not visibility.can_reblog(by, original):
        raise Forbidden("This action is not allowed")
    existing = find_reblog(original, by)
    if existing is not None:
        return existing
    try:
        vis = Visibility(visibility_ or _default_privacy(by))
    except ValueError:
        raise Unprocessable("Validation failed: Visibility is not included in the list") from None
    if vis == Visibility.DIRECT:
        vis = Visibility.PUBLIC
    boost = Status(
        id=new_id(),
        account_id=by.id,
        reblog_of_id=original.id,
        visibility=vis if original.visibility != Visibility.PRIVATE else Visibility.PRIVATE,
        local=True,
        conversation_id=None,
    )
    boost.uri = f"{urls.status_uri(by.username, boost.id)}/activity"
    boost.url = boost.uri
    db.session.add(boost)
    counters.bump(Status, original.id, "reblogs_count", 1)
    counters.bump(Account, by.id, "statuses_count", 1)
    db.session.commit()
    queue.enqueue("fan_out_status", boost.id)
    queue.enqueue("federate_announce", boost.id)
    return boost


def _default_privacy(account: Account) -> str:
    settings = (account.user.settings or {}) if account.user else {}
    return settings.get("default_privacy") or ("private" if account.locked else "public")


def unreblog(*, status: Status, by: Account) -> Status:
    original = _original(status)
    boost = find_reblog(original, by)
    if boost is not None:
        statuses.remove(boost)
        db.session.commit()
        queue.enqueue("status_removed", boost.id)
        queue.enqueue("federate_undo_announce", boost.id)
    return original


def bookmark(*, status: Status, by: Account) -> Bookmark:
    status = _original(status)
    if not visibility.can_see(by, status):
        raise NotFound("Record not found")
    mark = _row(Bookmark, by, status)
    if mark is None:
        mark = Bookmark(account_id=by.id, status_id=status.id)
        db.session.add(mark)
        db.session.commit()
    return mark


def unbookmark(*, status: Status, by: Account) -> Status:
    status = _original(status)
    mark = _row(Bookmark, by, status)
    if mark is not None:
        db.session.delete(mark)
        db.session.commit()
    return status


PIN_ERRORS = {
    "reblog": "A boost cannot be pinned",
    "ownership": "Someone else's post cannot be pinned",
    "direct": "Posts that are only visible to mentioned users cannot be pinned",
    "limit": "You have already pinned the maximum number of posts",
}


def pin(*, status: Status, by: Account) -> StatusPin:
    """Pin one of your own public, unlisted or private posts to your profile (at most five),
    with Mastodon's validation messages; pinning twice is a "Duplicate record"."""
    errors = []
    if status.reblog_of_id is not None:
        errors.append(PIN_ERRORS["reblog"])
    if status.account_id != by.id:
        errors.append(PIN_ERRORS["ownership"])
    if status.visibility == Visibility.DIRECT:
        errors.append(PIN_ERRORS["direct"])
    count = db.session.scalar(select(func.count(StatusPin.id)).where(StatusPin.account_id == by.id))
    if (count or 0) >= MAX_PINS and by.local:
        errors.append(PIN_ERRORS["limit"])
    if errors:
        raise Unprocessable(f"Validation failed: {', '.join(errors)}")
    if _row(StatusPin, by, status) is not None:
        raise Unprocessable("Duplicate record")
    pin_row = StatusPin(account_id=by.id, status_id=status.id)
    db.session.add(pin_row)
    db.session.commit()
    return pin_row


def unpin(*, status: Status, by: Account) -> Status:
    row = _row(StatusPin, by, status)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    return status


def undo_target(model, status_id: int | str, by: Account) -> Status:
    """The status an undo (unfavourite, unbookmark) acts on: the one `by` favourited or
    bookmarked under that id, even if it is hidden now; otherwise one they may see."""
    number = statuses.parse_id(status_id)
    row = (
        db.session.scalar(select(model).where(model.account_id == by.id, model.status_id == number))
        if number is not None
        else None
    )
    return row.status if row is not None else statuses.get_visible(status_id, by)


def unreblog_target(status_id: int | str, by: Account) -> Status:
    """The status an unboost acts on: the one `by` boosted under that id, even if it is hidden
    now; otherwise one they may see."""
    number = statuses.parse_id(status_id)
    boost = (
        db.session.scalar(
            select(Status).where(
                Status.account_id == by.id,
                Status.reblog_of_id == number,
                Status.deleted_at.is_(None),
            )
        )
        if number is not None
        else None
    )
    return boost.reblog if boost is not None else statuses.get_visible(status_id, by)


def mute_conversation(*, status: Status, by: Account) -> Status:
    """Stop notifications from the status's thread (Mastodon's conversation mute)."""
    conversation_id = _conversation_of(status, by)
    db.session.execute(
        insert_ignore(
            ConversationMute,
            [{"account_id": by.id, "conversation_id": conversation_id}],
            ["account_id", "conversation_id"],
        )
    )
    db.session.commit()
    return status


def unmute_conversation(*, status: Status, by: Account) -> Status:
    conversation_id = _conversation_of(status, by)
    db.session.execute(
        delete(ConversationMute).where(
            ConversationMute.account_id == by.id,
            ConversationMute.conversation_id == conversation_id,
        )
    )
    db.session.commit()
    return status


def _conversation_of(status: Status, by: Account) -> int:
    original = _original(status)
    if not visibility.can_see(by, original):
        raise NotFound("Record not found")
    if original.conversation_id is None:
        raise Unprocessable("Mastodon::ValidationError")
    return original.conversation_id


def reblogged_by(
    status: Status, viewer: Account | None, page: PageParams
) -> list[tuple[int, Account]]:
    """(boost id, booster) of the public and unlisted boosts of a status, newest first, paged
    by boost id with max_id/since_id; suspended boosters and those the viewer blocks, mutes or
    is blocked by are left out."""
    query = (
        select(Status.id, Account)
        .join(Account, Account.id == Status.account_id)
        .where(
            Status.reblog_of_id == status.id,
            Status.deleted_at.is_(None),
            Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED]),
        )
    )
    return _accounts_page(query, Status.id, viewer, page)


def favourited_by(
    status: Status, viewer: Account | None, page: PageParams
) -> list[tuple[int, Account]]:
    """(favourite id, account) of those who favourited a status, newest first, paged by
    favourite id, with the same exclusions as `reblogged_by`."""
    query = (
        select(Favourite.id, Account)
        .join(Account, Account.id == Favourite.account_id)
        .where(Favourite.status_id == status.id)
    )
    return _accounts_page(query, Favourite.id, viewer, page)


def _accounts_page(query, key, viewer: Account | None, page: PageParams):
    query = query.where(Account.suspended_at.is_(None))
    if viewer is not None:
        query = query.where(Account.id.not_in(relations.hidden_authors(viewer.id)))
    page = PageParams(max_id=page.max_id, since_id=page.since_id, limit=page.limit)
    return [(row[0], row[1]) for row in db.session.execute(page.apply(query, key))]


FLAGS = ("favourited", "reblogged", "bookmarked", "pinned")


def viewer_flag_queries(viewer_id: Any, status_ids: Any) -> list[Select]:
    """One `SELECT status_id` per flag, in FLAGS order: which of these statuses the viewer
    favourited, boosted (live boosts), bookmarked or pinned. Callers union them. `viewer_id`
    and `status_ids` may be values or SQL (a bound parameter, a subquery); table columns keep
    a Core statement Core."""
    fav, status, mark, pin = (m.__table__.c for m in (Favourite, Status, Bookmark, StatusPin))
    return [
        select(fav.status_id).where(fav.account_id == viewer_id, fav.status_id.in_(status_ids)),
        select(status.reblog_of_id).where(
            status.account_id == viewer_id, status.reblog_of_id.in_(status_ids),
            status.deleted_at.is_(None),
        ),
        select(mark.status_id).where(mark.account_id == viewer_id, mark.status_id.in_(status_ids)),
        select(pin.status_id).where(pin.account_id == viewer_id, pin.status_id.in_(status_ids)),
    ]  # fmt: skip


def viewer_flags(viewer: Account, status_ids: list[int]) -> dict[str, set[int]]:
    """Which of these statuses the viewer favourited, boosted, bookmarked or pinned (1 query)."""
    flags: dict[str, set[int]] = {name: set() for name in FLAGS}
    if not status_ids:
        return flags
    parts = [
        query.add_columns(literal_column(str(n)).label("flag"))
        for n, query in enumerate(viewer_flag_queries(viewer.id, status_ids))
    ]
    for status_id, n in db.session.execute(union_all(*parts)):
        flags[FLAGS[n]].add(status_id)
    return flags
