"""Deliveries in order per inbox (the backlog that federation/delivery.py keeps).

A row that waits for its inbox (unreachable, domain paused, deferred) starts the inbox's backlog
(`Delivery.backlog`). Newer rows to that inbox are `QUEUED` behind it; once no backlog row is
pending, the next ones become pending together and go as one chain, oldest first. These are the
queries behind that; the sending and the enqueueing stay in delivery.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from fedi.extensions import db
from fedi.models import Delivery, DeliveryState

WAITING = (DeliveryState.PENDING, DeliveryState.QUEUED)  # not yet delivered nor given up
_Queued = aliased(Delivery)


def in_turn(due: list) -> list:
    """The due rows whose turn it is: those behind an older backlog row to their inbox (one
    not among these) are queued behind it instead."""
    if not due:
        return due
    oldest = dict(
        db.session.execute(
            select(Delivery.inbox_url, func.min(Delivery.id))
            .where(
                Delivery.backlog,
                Delivery.inbox_url.in_({row.inbox_url for row in due}),
                Delivery.state.in_(WAITING),
                Delivery.id.not_in([row.id for row in due]),
            )
            .group_by(Delivery.inbox_url)
        ).all()
    )
    behind = [row.id for row in due if oldest.get(row.inbox_url, row.id) < row.id]
    if not behind:
        return due
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(behind), Delivery.state == DeliveryState.PENDING)
        .values(state=DeliveryState.QUEUED, backlog=True, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    queued = set(behind)
    return [row for row in due if row.id not in queued]


def chains(going: list, claimed: list) -> tuple[list[list], list[int]]:
    """The claimed rows as chains, one per inbox, oldest first; and the ids of claimed rows to
    send later (deferred): those after a row that this task could not claim (another task is
    trying it now), which must not be overtaken."""
    by_id = {row.id: row for row in claimed}
    chains: dict[str, list] = {}
    gaps: set[str] = set()
    skipped: list[int] = []
    for row in going:  # oldest first
        mine = by_id.get(row.id)
        if mine is None:
            gaps.add(row.inbox_url)
        elif row.inbox_url in gaps:
            skipped.append(row.id)
        else:
            chains.setdefault(row.inbox_url, []).append(mine)
    return list(chains.values()), skipped


def stalled(inboxes: set[str] | None):
    """Inboxes with queued rows and no pending backlog row ahead of them (a select)."""
    ahead = (
        select(Delivery.id)
        .where(
            Delivery.backlog,
            Delivery.inbox_url == _Queued.inbox_url,
            Delivery.state == DeliveryState.PENDING,
        )
        .limit(1)
    )
    query = (
        select(_Queued.inbox_url)
        .where(_Queued.backlog, _Queued.state == DeliveryState.QUEUED, ~exists(ahead))
        .distinct()
    )
    return query if inboxes is None else query.where(_Queued.inbox_url.in_(inboxes))


def next_in_line(inbox_url: str, now: datetime, batch: int) -> list[int]:
    """Make the inbox's next `batch` queued rows pending, unless a pending backlog row is still
    ahead of them. The oldest queued row is locked first: of two recorders moving the same
    backlog, the second waits, then finds the rows pending and moves nothing."""
    line = (Delivery.backlog, Delivery.inbox_url == inbox_url)
    first = db.session.scalar(
        select(Delivery.id)
        .where(*line, Delivery.state == DeliveryState.QUEUED)
        .order_by(Delivery.id)
        .limit(1)
        .with_for_update()
    )
    if first is None:
        return []
    ahead = db.session.scalar(
        select(Delivery.id).where(*line, Delivery.state == DeliveryState.PENDING).limit(1)
    )
    if ahead is not None:
        return []
    ids = list(
        db.session.scalars(
            select(Delivery.id)
            .where(*line, Delivery.state == DeliveryState.QUEUED)
            .order_by(Delivery.id)
            .limit(batch)
        )
    )
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.state == DeliveryState.QUEUED)
        .values(state=DeliveryState.PENDING, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return ids


def expire(now: datetime, max_wait: timedelta) -> int:
    """Fail the queued rows older than `max_wait`: their inbox has been unreachable too long."""
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.backlog,
            Delivery.state == DeliveryState.QUEUED,
            Delivery.created_at < now - max_wait,
        )
        .values(state=DeliveryState.FAILED, backlog=False, last_error="inbox unreachable too long")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
