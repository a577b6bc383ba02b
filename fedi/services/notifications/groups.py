"""Grouped notifications (Mastodon 4.3's v2 API): favourites and boosts of one status, and follows,
fold into groups by `group_key`; every other notification is a group of its own
(`ungrouped-<id>`). A page holds at most `limit` groups, each represented by its newest
notification in the page's range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import selectinload

from fedi.errors import NotFound
from fedi.extensions import db
from fedi.models import Account, Notification, NotificationType
from fedi.services.notifications.create import GROUPABLE
from fedi.services.notifications.read import (
    LOAD,
    NO_FILTERS,
    Filters,
    browse,
    last_read_id,
    load,
    parse_id,
)
from fedi.services.pagination import PageParams

SAMPLE_ACCOUNTS_SIZE = 8
UNGROUPED = "ungrouped-"
FIRST_CHUNK = 50
LARGEST_CHUNK = 5000


@dataclass
class Group:
    group_key: str
    notification: Notification  # the newest one of the group in range
    notifications_count: int
    most_recent_notification_id: int
    sample_account_ids: list[int]
    page_min_id: int | None = None  # set when the group comes from a page
    latest_page_notification_at: datetime | None = None


@dataclass
class GroupedPage:
    notifications: list[Notification]  # one per group, newest first (what Link headers use)
    groups: list[Group]
    accounts: dict[int, Account] = field(default_factory=dict)


def groupable(grouped_types: list[str] | None) -> frozenset[NotificationType]:
    """The types that may group: `grouped_types[]` when given (only groupable ones count)."""
    if not grouped_types:
        return GROUPABLE
    return frozenset(t for t in GROUPABLE if t.value in grouped_types)


def key_of(row, grouped: frozenset[NotificationType]) -> str:
    if row.group_key and row.type in grouped:
        return row.group_key
    return f"{UNGROUPED}{row.id}"


def _scan(viewer_id: int, params: PageParams, filters: Filters, grouped) -> list[int]:
    """Ids of the newest notification of each of up to `limit` groups in the page's range, read
    in growing chunks so a huge group never loads at once."""
    query = browse(viewer_id, filters, Notification.id, Notification.type, Notification.group_key)
    ascending = params.min_id is not None
    if params.max_id is not None:
        query = query.where(Notification.id < params.max_id)
    if ascending:
        query = query.where(Notification.id > params.min_id)
    elif params.since_id is not None:
        query = query.where(Notification.id > params.since_id)
    order = Notification.id.asc() if ascending else Notification.id.desc()
    seen: set[str] = set()
    picked: list[int] = []
    cursor, chunk = None, max(FIRST_CHUNK, params.limit * 2)
    while len(picked) < params.limit:
        step = query
        if cursor is not None:
            step = query.where(Notification.id > cursor if ascending else Notification.id < cursor)
        rows = db.session.execute(step.order_by(order).limit(chunk)).all()
        for row in rows:
            key = key_of(row, grouped)
            if key not in seen:
                seen.add(key)
                picked.append(row.id)
                if len(picked) == params.limit:
                    break
        if len(rows) < chunk:
            break
        cursor, chunk = rows[-1].id, min(chunk * 2, LARGEST_CHUNK)
    return sorted(picked, reverse=True)


def page(
    viewer: Account,
    params: PageParams,
    filters: Filters = NO_FILTERS,
    grouped_types: list[str] | None = None,
) -> GroupedPage:
    grouped = groupable(grouped_types)
    rows = load(_scan(viewer.id, params, filters, grouped))
    if not rows:
        return GroupedPage([], [])
    begin, end = rows[-1].id, rows[0].id
    if len(rows) < params.limit:  # the last page in this direction: reach to its bound
        if params.min_id is not None:
            end = params.max_id - 1 if params.max_id is not None else None
        else:
            begin = params.since_id + 1 if params.since_id is not None else None
    return _build(viewer.id, rows, grouped, paginated=True, begin=begin, end=end)


def _build(
    viewer_id: int,
    rows: list[Notification],
    grouped: frozenset[NotificationType],
    *,
    paginated: bool,
    begin: int | None = None,
    end: int | None = None,
) -> GroupedPage:
    keyed = [(key_of(row, grouped), row) for row in rows]
    keys = sorted({key for key, _ in keyed if not key.startswith(UNGROUPED)})
    stats, samples = _group_data(viewer_id, keys, begin=begin, end=end)
    groups = []
    for key, row in keyed:
        newest, count, oldest = stats.get(key, (row.id, 1, row.id))
        sample = samples.get(key) or [(row.from_account_id, row.created_at)]
        groups.append(
            Group(
                group_key=key,
                notification=row,
                notifications_count=count,
                most_recent_notification_id=newest,
                sample_account_ids=[account_id for account_id, _ in sample],
                page_min_id=(oldest or row.id) if paginated else None,
                latest_page_notification_at=sample[0][1] if paginated else None,
            )
        )
    ids = {i for g in groups for i in g.sample_account_ids}
    accounts = {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(ids)))}
    return GroupedPage(rows, groups, accounts)


def _group_data(viewer_id: int, keys: list[str], *, begin: int | None, end: int | None):
    """Per group key: (newest id, count, oldest id from `begin`) up to `end`, and the newest
    SAMPLE_ACCOUNTS_SIZE (sender id, created_at) pairs: two queries for the whole page."""
    if not keys:
        return {}, {}
    bounded = [Notification.group_key.in_(keys)]
    if end is not None:
        bounded.append(Notification.id <= end)
    oldest = Notification.id if begin is None else case((Notification.id >= begin, Notification.id))
    aggregate = browse(
        viewer_id, NO_FILTERS, Notification.group_key, func.max(Notification.id),
        func.count(Notification.id), func.min(oldest),
    ).where(*bounded).group_by(Notification.group_key)  # fmt: skip
    stats = {key: (newest, count, low) for key, newest, count, low in db.session.execute(aggregate)}
    rank = func.row_number().over(
        partition_by=Notification.group_key, order_by=Notification.id.desc()
    )
    ranked = browse(
        viewer_id, NO_FILTERS, Notification.group_key, Notification.from_account_id,
        Notification.created_at, rank.label("rank"),
    ).where(*bounded).subquery()  # fmt: skip
    samples: dict[str, list] = {}
    for key, account_id, at, _ in db.session.execute(
        select(ranked).where(ranked.c.rank <= SAMPLE_ACCOUNTS_SIZE).order_by(ranked.c.rank)
    ):
        samples.setdefault(key, []).append((account_id, at))
    return stats, samples


def _by_key(query, group_key: str):
    if group_key.startswith(UNGROUPED):
        return query.where(Notification.id == parse_id(group_key[len(UNGROUPED) :]))
    return query.where(Notification.group_key == group_key)


def group(viewer: Account, group_key: str) -> GroupedPage:
    """One group by key, counted over all of its notifications."""
    row = db.session.scalar(
        _by_key(browse(viewer.id), group_key)
        .options(*LOAD)
        .order_by(Notification.id.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound("Record not found")
    return _build(viewer.id, [row], GROUPABLE, paginated=False)


def dismiss(viewer: Account, group_key: str) -> None:
    query = delete(Notification).where(Notification.account_id == viewer.id)
    db.session.execute(_by_key(query, group_key))
    db.session.commit()


def accounts(viewer: Account, group_key: str, params: PageParams) -> list[Notification]:
    """A page of the group's notifications (newest first), senders preloaded."""
    query = _by_key(browse(viewer.id), group_key).options(selectinload(Notification.from_account))
    return params.finish(list(db.session.scalars(params.apply(query, Notification.id))))


def unread_count(
    viewer: Account, filters: Filters, *, limit: int, grouped_types: list[str] | None = None
) -> int:
    """Groups with notifications newer than the read marker, counted up to `limit`."""
    params = PageParams(min_id=last_read_id(viewer) or 0, limit=limit)
    return len(_scan(viewer.id, params, filters, groupable(grouped_types)))
