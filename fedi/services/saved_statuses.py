"""The viewer's favourited and bookmarked statuses, paged by the favourite or bookmark row id."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, Bookmark, Favourite, Status
from fedi.services import timelines
from fedi.services.pagination import PageParams


def _page(model, viewer: Account, page: PageParams) -> list[tuple[int, Status]]:
    """(row id, status) pairs newest first; rows whose status was deleted since are skipped
    (their ids still bound the page, as in Mastodon)."""
    query = (
        select(model.id, model.status_id)
        .join(Status, Status.id == model.status_id)
        .where(model.account_id == viewer.id, Status.deleted_at.is_(None))
    )
    rows = page.finish(db.session.execute(page.apply(query, model.id)).all())
    by_id = {s.id: s for s in timelines.load([status_id for _, status_id in rows])}
    return [(row_id, by_id[status_id]) for row_id, status_id in rows if status_id in by_id]


def favourites(viewer: Account, page: PageParams) -> list[tuple[int, Status]]:
    return _page(Favourite, viewer, page)


def bookmarks(viewer: Account, page: PageParams) -> list[tuple[int, Status]]:
    return _page(Bookmark, viewer, page)
