"""Reading notifications one by one (the v1 API): what a viewer may see, pages, counts, dismissals.

A viewer never sees notifications from accounts they block, mute with notifications hidden
(until the mute expires), or whose domain they block, nor from suspended accounts, nor about
deleted statuses.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, inspect, or_, select
from sqlalchemy.orm import selectinload

from fedi import ids
from fedi.errors import NotFound
from fedi.extensions import db
from fedi.models import (
    Account,
    AccountDomainBlock,
    Block,
    Marker,
    Mute,
    Notification,
    NotificationType,
    Report,
    Status,
    utcnow,
)
from fedi.services.pagination import PageParams

LOAD = (
    selectinload(Notification.from_account),
    selectinload(Notification.status).options(
        selectinload(Status.account),
        selectinload(Status.reblog).selectinload(Status.account),
    ),
    selectinload(Notification.report).selectinload(Report.target_account),
    selectinload(Notification.account_warning),
)


@dataclass(frozen=True)
class Filters:
    """`types[]`, `exclude_types[]` and `account_id`, as Mastodon's `browserable` scope."""

    types: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    account_id: int | None = None

    @classmethod
    def of(
        cls, types: Iterable[object] = (), exclude_types: Iterable[object] = (), account_id=None
    ) -> Filters:
        return cls(
            tuple(str(t) for t in types), tuple(str(t) for t in exclude_types), parse_id(account_id)
        )

    def requested_types(self) -> list[NotificationType] | None:
        """The types to keep, or None for all of them (unknown names are ignored)."""
        wanted = [
            t
            for t in NotificationType
            if (not self.types or t.value in self.types) and t.value not in self.exclude_types
        ]
        return None if len(wanted) == len(NotificationType) else wanted


NO_FILTERS = Filters()


def parse_id(value: object) -> int | None:
    """An id from the request; ids that cannot be one (not a number, too large) become -1, which
    matches nothing, as Mastodon answers for them."""
    if value in (None, ""):
        return None
    number = ids.parse_id(value)
    return number if number is not None else -1


def hidden_senders(viewer_id: Any, now: Any = None) -> Select:
    """Accounts the viewer blocks or mutes with notifications hidden (`viewer_id` and `now` may
    be bound parameters, for statements built once)."""
    blocked = select(Block.target_account_id).where(Block.account_id == viewer_id)
    muted = select(Mute.target_account_id).where(
        Mute.account_id == viewer_id,
        Mute.hide_notifications.is_(True),
        or_(Mute.expires_at.is_(None), Mute.expires_at > (utcnow() if now is None else now)),
    )
    return blocked.union(muted)


def browse(viewer_id: Any, filters: Filters = NO_FILTERS, *columns, now: Any = None) -> Select:
    """The viewer's visible notifications (selecting `columns`, default the rows)."""
    blocked_domains = select(AccountDomainBlock.domain).where(
        AccountDomainBlock.account_id == viewer_id
    )
    query = (
        select(*(columns or (Notification,)))
        .join(Account, Account.id == Notification.from_account_id)
        .outerjoin(Status, Status.id == Notification.status_id)
        .where(
            Notification.account_id == viewer_id,
            Account.suspended_at.is_(None),
            or_(Account.domain.is_(None), Account.domain.not_in(blocked_domains)),
            Notification.from_account_id.not_in(hidden_senders(viewer_id, now)),
            or_(Notification.status_id.is_(None), Status.deleted_at.is_(None)),
        )
    )
    types = filters.requested_types()
    if types is not None:
        query = query.where(Notification.type.in_(types))
    if filters.account_id is not None:
        query = query.where(Notification.from_account_id == filters.account_id)
    return query


def page(viewer: Account, params: PageParams, filters: Filters = NO_FILTERS) -> list[Notification]:
    query = browse(viewer.id, filters).options(*LOAD)
    return params.finish(list(db.session.scalars(params.apply(query, Notification.id))))


def load(ids: Sequence[int]) -> list[Notification]:
    """Notifications by id, in the given order, with sender and status preloaded."""
    if not ids:
        return []
    rows = db.session.scalars(select(Notification).where(Notification.id.in_(ids)).options(*LOAD))
    by_id = {n.id: n for n in rows}
    return [by_id[i] for i in ids if i in by_id]


def preload(rows: Sequence[Notification]) -> Sequence[Notification]:
    """Make sure every row has its sender and status loaded (a fixed number of queries)."""
    missing = [r.id for r in rows if _lacking(r)]
    if missing:
        db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(missing))
            .options(*LOAD)
            .execution_options(populate_existing=True)
        ).all()
    return rows


def _lacking(row: Notification) -> bool:
    if {"from_account", "status", "report", "account_warning"} & inspect(row).unloaded:
        return True
    return row.status is not None and "account" in inspect(row.status).unloaded


def get(viewer: Account, notification_id: int) -> Notification:
    row = db.session.scalar(
        browse(viewer.id).where(Notification.id == notification_id).options(*LOAD)
    )
    if row is None:
        raise NotFound("Record not found")
    return row


def dismiss(viewer: Account, notification_id: int) -> None:
    result = db.session.execute(
        delete(Notification).where(
            Notification.id == notification_id, Notification.account_id == viewer.id
        )
    )
    if not result.rowcount:
        db.session.rollback()
        raise NotFound("Record not found")
    db.session.commit()


def clear(viewer: Account) -> None:
    db.session.execute(delete(Notification).where(Notification.account_id == viewer.id))
    db.session.commit()


def last_read_id(viewer: Account) -> int | None:
    """The notifications read marker (Mastodon's `Marker(timeline: "notifications")`)."""
    return db.session.scalar(
        select(Marker.last_read_id).where(
            Marker.account_id == viewer.id, Marker.timeline == "notifications"
        )
    )


def unread_count(viewer: Account, filters: Filters, *, limit: int) -> int:
    """Notifications newer than the read marker, counted up to `limit`."""
    query = browse(viewer.id, filters, Notification.id)
    marker = last_read_id(viewer)
    if marker:
        query = query.where(Notification.id > marker)
    capped = query.order_by(Notification.id.asc()).limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


@functools.cache
def _unread_statement():
    """unread_count() without filters as one statement, built once: the marker is a subquery and
    the viewer, the time and the cap are bound parameters."""
    me = bindparam("me")
    marker = (
        select(Marker.last_read_id)
        .where(Marker.account_id == me, Marker.timeline == "notifications")
        .scalar_subquery()
    )
    query = browse(me, NO_FILTERS, Notification.id, now=bindparam("now"))
    query = query.where(Notification.id > func.coalesce(marker, 0))
    capped = query.order_by(Notification.id.asc()).limit(bindparam("cap")).subquery()
    return select(func.count()).select_from(capped)


def unread_badge_count(viewer_id: int, *, limit: int) -> int:
    """What unread_count() counts without filters (the web UI's badge on every page), in one
    query whose statement is built once per process."""
    values = {"me": viewer_id, "now": utcnow(), "cap": limit}
    return db.session.scalar(_unread_statement(), values) or 0
