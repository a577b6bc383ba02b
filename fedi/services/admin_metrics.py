"""Numbers for the staff: Mastodon's admin measures (a total and one value per day over a
range, with the total of the range before it) and dimensions (the top values of something), and
the live figures of the dashboard. Days are UTC; ids are time-ordered Snowflakes, so statuses and
users are counted by id range, without a scan of their timestamps.

"Active users" counts, per day, local users who posted that day, plus each user's latest sign-in
and latest app use (only the latest is stored, so earlier days count users by their posts)."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from fedi import queue
from fedi.extensions import db
from fedi.ids import id_at
from fedi.models import (
    Account,
    Delivery,
    DeliveryState,
    Favourite,
    OAuthToken,
    Report,
    Status,
    User,
    utcnow,
)
from fedi.services.staff import Permission, require
from fedi.software import __version__

DAY = timedelta(days=1)
MAX_DAYS = 366


@dataclass(frozen=True)
class Measure:
    key: str
    unit: str | None
    total: int
    previous_total: int | None
    data: list[tuple[date, int]]


def day_range(start: date, end: date) -> list[date]:
    """The days from `start` to `end` inclusive (at most MAX_DAYS, ending at `end`)."""
    days = max(0, min((end - start).days, MAX_DAYS - 1))
    return [end - timedelta(days=n) for n in reversed(range(days + 1))]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


def _per_day_by_id(column, where, days: list[date]) -> dict[date, int]:
    """Rows per day for a Snowflake id column, in one grouped query."""
    start = id_at(_midnight(days[0]))
    end = id_at(_midnight(days[-1]) + DAY)
    day_ids = 86_400_000 << 16
    bucket = ((column - start) // day_ids).label("day")
    query = select(bucket, func.count()).where(column >= start, column < end, *where)
    return {
        days[0] + timedelta(days=int(n)): count
        for n, count in db.session.execute(query.group_by(bucket))
    }


def _per_day_by_time(column, where, days: list[date]) -> dict[date, int]:
    """Rows per day for a timestamp column (few rows: reports, deliveries)."""
    lo, hi = _midnight(days[0]), _midnight(days[-1]) + DAY
    counts: dict[date, int] = {}
    for (at,) in db.session.execute(select(column).where(column >= lo, column < hi, *where)):
        counts[_day_of(at)] = counts.get(_day_of(at), 0) + 1
    return counts


def _new_users(days: list[date]) -> dict[date, int]:
    return _per_day_by_id(User.id, (), days)


def _local_statuses(days: list[date]) -> dict[date, int]:
    return _per_day_by_id(Status.id, (Status.local.is_(True),), days)


def _opened_reports(days: list[date]) -> dict[date, int]:
    return _per_day_by_time(Report.created_at, (), days)


def _resolved_reports(days: list[date]) -> dict[date, int]:
    return _per_day_by_time(Report.action_taken_at, (), days)


def _failed_deliveries(days: list[date]) -> dict[date, int]:
    return _per_day_by_time(
        Delivery.last_attempt_at, (Delivery.state == DeliveryState.FAILED,), days
    )


def _interactions(days: list[date]) -> dict[date, int]:
    """Favourites, boosts and replies that local statuses received, per day."""
    local = select(Status.id).where(Status.local.is_(True)).scalar_subquery()
    counts = _per_day_by_id(Favourite.id, (Favourite.status_id.in_(local),), days)
    for column in (Status.reblog_of_id, Status.in_reply_to_id):
        for day, n in _per_day_by_id(Status.id, (column.in_(local),), days).items():
            counts[day] = counts.get(day, 0) + n
    return counts


def _active_users(days: list[date]) -> dict[date, int]:
    start, end = id_at(_midnight(days[0])), id_at(_midnight(days[-1]) + DAY)
    lo, hi = _midnight(days[0]), _midnight(days[-1]) + DAY
    active: dict[date, set[int]] = {}
    day_ids = 86_400_000 << 16
    bucket = ((Status.id - start) // day_ids).label("day")
    posted = select(bucket, Status.account_id).where(
        Status.local.is_(True), Status.id >= start, Status.id < end
    )
    for n, account_id in db.session.execute(posted.distinct()):
        active.setdefault(days[0] + timedelta(days=int(n)), set()).add(account_id)
    seen = (
        select(User.account_id, User.last_sign_in_at).where(
            User.last_sign_in_at >= lo, User.last_sign_in_at < hi
        ),
        select(OAuthToken.account_id, OAuthToken.last_used_at).where(
            OAuthToken.account_id.is_not(None),
            OAuthToken.last_used_at >= lo,
            OAuthToken.last_used_at < hi,
        ),
    )
    for query in seen:
        for account_id, at in db.session.execute(query):
            active.setdefault(_day_of(at), set()).add(account_id)
    return {day: len(ids) for day, ids in active.items()}


MEASURES: dict[str, Callable[[list[date]], dict[date, int]]] = {
    "new_users": _new_users,
    "active_users": _active_users,
    "interactions": _interactions,
    "opened_reports": _opened_reports,
    "resolved_reports": _resolved_reports,
    "local_statuses": _local_statuses,
    "failed_deliveries": _failed_deliveries,
}


def measure(key: str, start: date, end: date) -> Measure:
    """One of MEASURES over the days from `start` to `end`, and its total over as many days
    before. Active users count distinct people, so their total is not the sum of the days."""
    days = day_range(start, end)
    before = [d - len(days) * DAY for d in days]
    counts, previous = MEASURES[key](days), MEASURES[key](before)
    if key == "active_users":
        total, previous_total = _distinct_active(days), _distinct_active(before)
    else:
        total, previous_total = sum(counts.values()), sum(previous.values())
    return Measure(key, None, total, previous_total, [(d, counts.get(d, 0)) for d in days])


def _distinct_active(days: list[date]) -> int:
    lo, hi = _midnight(days[0]), _midnight(days[-1]) + DAY
    start, end = id_at(lo), id_at(hi)
    ids = set(
        db.session.scalars(
            select(Status.account_id)
            .where(Status.local.is_(True), Status.id >= start, Status.id < end)
            .distinct()
        )
    )
    ids |= set(
        db.session.scalars(
            select(User.account_id).where(User.last_sign_in_at >= lo, User.last_sign_in_at < hi)
        )
    )
    ids |= set(
        db.session.scalars(
            select(OAuthToken.account_id).where(
                OAuthToken.account_id.is_not(None),
                OAuthToken.last_used_at >= lo,
                OAuthToken.last_used_at < hi,
            )
        )
    )
    return len(ids)


def measures(keys: list[str], start: date, end: date, *, by: Account) -> list[Measure]:
    """Mastodon's POST /api/v1/admin/measures: the known keys asked for, in order."""
    require(by, Permission.VIEW_DASHBOARD)
    return [measure(key, start, end) for key in dict.fromkeys(keys) if key in MEASURES]


@dataclass(frozen=True)
class Row:
    """One value of a dimension, as Mastodon's entity has it."""

    key: str
    human_key: str
    value: str
    human_value: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Dimension:
    key: str
    data: list[Row]


def _languages(start: date, end: date, limit: int) -> list[Row]:
    lo, hi = id_at(_midnight(start)), id_at(_midnight(end) + DAY)
    count = func.count().label("n")
    query = (
        select(Status.language, count)
        .where(Status.local.is_(True), Status.id >= lo, Status.id < hi)
        .group_by(Status.language)
        .order_by(count.desc())
        .limit(limit)
    )
    return [Row(lang or "und", lang or "Unknown", str(n)) for lang, n in db.session.execute(query)]


def _servers(start: date, end: date, limit: int) -> list[Row]:
    """The servers whose statuses arrived most in the range."""
    lo, hi = id_at(_midnight(start)), id_at(_midnight(end) + DAY)
    count = func.count().label("n")
    query = (
        select(Account.domain, count)
        .join(Status, Status.account_id == Account.id)
        .where(Status.local.is_(False), Status.id >= lo, Status.id < hi)
        .group_by(Account.domain)
        .order_by(count.desc())
        .limit(limit)
    )
    return [Row(domain, domain, str(n)) for domain, n in db.session.execute(query)]


def _software_versions(start: date, end: date, limit: int) -> list[Row]:
    database = db.engine.dialect.name
    version = ".".join(str(p) for p in (db.engine.dialect.server_version_info or ()))
    return [
        Row("wren", "Wren", __version__, __version__),
        Row("python", "Python", platform.python_version(), platform.python_version()),
        Row(database, _DATABASES.get(database, database), version, version),
    ][:limit]


_DATABASES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _space_usage(start: date, end: date, limit: int) -> list[Row]:
    """Bytes used by the database (PostgreSQL's size, or the SQLite file) and the media."""
    from flask import current_app

    settings = current_app.config["FEDI"]
    if db.engine.dialect.name == "postgresql":
        size = db.session.scalar(select(func.pg_database_size(func.current_database())))
    else:
        path = db.engine.url.database or ""
        size = os.path.getsize(path) if path and os.path.exists(path) else 0
    media = _directory_size(str(settings.MEDIA_ROOT))
    return [
        Row("database", "Database", str(size or 0), _human_bytes(int(size or 0)), "bytes"),
        Row("media", "Media files", str(media), _human_bytes(media), "bytes"),
    ][:limit]


def _directory_size(root: str) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                continue
    return total


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


DIMENSIONS = {
    "languages": _languages,
    "servers": _servers,
    "software_versions": _software_versions,
    "space_usage": _space_usage,
}


def dimensions(
    keys: list[str], start: date, end: date, *, limit: int = 10, by: Account
) -> list[Dimension]:
    """Mastodon's POST /api/v1/admin/dimensions: the known keys asked for, in order."""
    require(by, Permission.VIEW_DASHBOARD)
    limit = max(1, min(limit, 100))
    return [
        Dimension(key, DIMENSIONS[key](start, end, limit))
        for key in dict.fromkeys(keys)
        if key in DIMENSIONS
    ]


@dataclass(frozen=True)
class Now:
    """The dashboard's live figures."""

    open_reports: int
    pending_sign_ups: int
    queued_tasks: int
    scheduled_tasks: int
    pending_deliveries: int
    failed_deliveries_30d: int


def now(*, by: Account) -> Now:
    require(by, Permission.VIEW_DASHBOARD)
    month_ago = utcnow() - 30 * DAY
    open_reports = db.session.scalar(
        select(func.count()).select_from(Report).where(Report.action_taken_at.is_(None))
    )
    pending = db.session.scalar(
        select(func.count())
        .select_from(User)
        .join(Account, Account.id == User.account_id)
        .where(User.approved.is_(False), User.disabled.is_(False), Account.suspended_at.is_(None))
    )
    deliveries = dict(
        db.session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.state.in_((DeliveryState.PENDING, DeliveryState.QUEUED)))
            .group_by(Delivery.state)
        ).all()
    )
    failed = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.state == DeliveryState.FAILED, Delivery.last_attempt_at >= month_ago)
    )
    queued, scheduled = queue.depth()
    return Now(
        open_reports=open_reports or 0,
        pending_sign_ups=pending or 0,
        queued_tasks=queued,
        scheduled_tasks=scheduled,
        pending_deliveries=sum(deliveries.values()),
        failed_deliveries_30d=failed or 0,
    )
