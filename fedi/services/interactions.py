"""Favourites, boosts, bookmarks and pins: what an account does to a status."""

from __future__ import annotations

from sqlalchemy import func, select

from fedi import tasks, urls
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, Bookmark, Favourite, Status, StatusPin, Visibility
from fedi.services import counters, statuses, visibility

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
    tasks.favourited(fav.id)
    return fav


def unfavourite(*, status: Status, by: Account) -> Status:
    status = _original(status)
    fav = _row(Favourite, by, status)
    if fav is not None:
        db.session.delete(fav)
        counters.bump(Status, status.id, "favourites_count", -1)
        db.session.commit()
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
        vis = Visibility(visibility_ or Visibility.PUBLIC)
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
    tasks.fan_out_status(boost.id)
    return boost


def unreblog(*, status: Status, by: Account) -> Status:
    original = _original(status)
    boost = find_reblog(original, by)
    if boost is not None:
        statuses.remove(boost)
        db.session.commit()
        tasks.status_removed(boost.id)
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


def pin(*, status: Status, by: Account) -> StatusPin:
    """Pin one of your own public, unlisted or private posts to your profile (at most five)."""
    if status.account_id != by.id or status.reblog_of_id is not None:
        raise Unprocessable("Validation failed: Status can only be pinned by its author")
    if status.visibility == Visibility.DIRECT:
        raise Unprocessable("Validation failed: Visibility is not allowed")
    existing = _row(StatusPin, by, status)
    if existing is not None:
        return existing
    count = db.session.scalar(select(func.count(StatusPin.id)).where(StatusPin.account_id == by.id))
    if (count or 0) >= MAX_PINS:
        raise Unprocessable(
            "Validation failed: You have already pinned the maximum number of posts"
        )
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


def viewer_flags(viewer: Account, status_ids: list[int]) -> dict[str, set[int]]:
    """Which of these statuses the viewer favourited, boosted, bookmarked or pinned (4 queries)."""
    if not status_ids:
        return {"favourited": set(), "reblogged": set(), "bookmarked": set(), "pinned": set()}

    def ids(column, *where) -> set[int]:
        return set(db.session.scalars(select(column).where(*where)))

    return {
        "favourited": ids(
            Favourite.status_id, Favourite.account_id == viewer.id,
            Favourite.status_id.in_(status_ids),
        ),
        "reblogged": ids(
            Status.reblog_of_id, Status.account_id == viewer.id,
            Status.reblog_of_id.in_(status_ids), Status.deleted_at.is_(None),
        ),
        "bookmarked": ids(
            Bookmark.status_id, Bookmark.account_id == viewer.id,
            Bookmark.status_id.in_(status_ids),
        ),
        "pinned": ids(
            StatusPin.status_id, StatusPin.account_id == viewer.id,
            StatusPin.status_id.in_(status_ids),
        ),
    }  # fmt: skip
