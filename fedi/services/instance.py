"""Facts about this instance: truthful usage numbers for the instance API and NodeInfo.

The numbers are cheap (per-account counters, never a scan of the statuses) and cached in each
process for STATS_TTL seconds, since /api/v1/instance is what every client calls at start-up. A
process that writes to the database drops its cache at once; others catch up within STATS_TTL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import distinct, event, func, select
from sqlalchemy.orm import Session

from fedi.extensions import db
from fedi.models import Account, User, utcnow

T = TypeVar("T")

STATS_TTL = 10.0
_STALE = "wren_instance_stats_stale"
_cache: dict[object, tuple[float, Any]] = {}


def cached(key: object, compute: Callable[[], T]) -> T:
    """`compute()`, remembered in this process for STATS_TTL seconds or until it writes."""
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _cache[key] = (now + STATS_TTL, value)
    return value


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    if session.new or session.dirty or session.deleted:  # any write: rules, accounts, ...
        session.info[_STALE] = True
        _cache.clear()


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:  # bulk UPDATE/DELETE or raw SQL: maybe a change we cannot see
        state.session.info[_STALE] = True
        _cache.clear()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_STALE, False):
        _cache.clear()  # also what a concurrent reader cached while the change was uncommitted


def user_count() -> int:
    return cached("users", lambda: db.session.scalar(
        select(func.count(User.id)).join(Account, Account.id == User.account_id).where(
            Account.suspended_at.is_(None), User.approved.is_(True)
        )
    ) or 0)  # fmt: skip


def local_status_count() -> int:
    """Statuses posted here: the sum of the local accounts' counters (as Mastodon does)."""
    return cached("statuses", lambda: db.session.scalar(
        select(func.coalesce(func.sum(Account.statuses_count), 0)).where(Account.domain.is_(None))
    ) or 0)  # fmt: skip


def domain_count() -> int:
    return cached("domains", lambda: db.session.scalar(
        select(func.count(distinct(Account.domain))).where(Account.domain.is_not(None))
    ) or 0)  # fmt: skip


def active_users(days: int) -> int:
    """Local users who posted or signed in within `days` days."""

    def compute() -> int:
        since = utcnow() - timedelta(days=days)
        return db.session.scalar(
            select(func.count(User.id)).join(Account, Account.id == User.account_id).where(
                (User.last_sign_in_at >= since) | (Account.last_status_at >= since)
            )
        ) or 0  # fmt: skip

    return cached(("active", days), compute)


def contact_account() -> Account | None:
    from flask import current_app

    from fedi.services import accounts

    name = current_app.config["FEDI"].INSTANCE_CONTACT_USERNAME
    return accounts.find_local(name) if name else None
