"""Durable outbound delivery: one `Delivery` row per (activity, inbox), tried by a task each.

A row is claimed atomically before each try (so duplicate tasks are harmless), the HTTP POST
happens outside any database transaction, and every try is logged. Outcomes:

- 2xx: delivered; the domain's failure record is cleared (an unavailable domain recovers and its
  waiting rows become due at once);
- 429/503: retried after `Retry-After` when given, else with backoff;
- other 4xx (but 408): failed for good;
- 5xx, 408, network errors: retried with exponential backoff and jitter for about three days,
  and the failure counts against the domain: a domain failing on `FAILURE_DAYS` distinct days
  is marked unavailable, and then only one probe per `PROBE_INTERVAL` goes out to it.

Huey only triggers attempts: `requeue_due` (a periodic task) re-enqueues rows that are due, so a
lost queue loses nothing.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from flask import current_app, has_app_context
from sqlalchemy import and_, delete, or_, select, update

from fedi import tasks
from fedi.extensions import db
from fedi.federation import client, hosts
from fedi.models import (
    Account,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DomainHealth,
    OutboxActivity,
    Status,
    utcnow,
)
from fedi.services.upsert import insert_ignore

log = logging.getLogger(__name__)

BASE_DELAY = 30.0  # seconds before the first retry (Settings.DELIVERY_RETRY_BASE)
BACKOFF_FACTOR = 2.2
MAX_DELAY = 12 * 3600.0  # one wait never exceeds this
MAX_ATTEMPTS = 16  # ~3.3 days of tries with the figures above
MAX_RETRY_AFTER = 24 * 3600.0
JITTER = 0.2  # +-20 %
IN_FLIGHT = timedelta(minutes=2)  # a claimed row is due again if its worker died mid-try
FAILURE_DAYS = 7  # distinct days of failure before a domain is unavailable (as Mastodon)
PROBE_INTERVAL = timedelta(hours=1)
MAX_WAIT = timedelta(days=14)  # rows held for an unavailable domain are dropped after this
REQUEUE_BATCH = 1000
RETRY_TASK_MAX = 300.0  # a retry due within this many seconds gets its own delayed task


@dataclass(frozen=True)
class Signer:
    """What signing needs of an account, read before the POST (no lazy loads mid-request)."""

    uri: str
    public_key_id: str | None
    private_key: str | None


def deliver_activity(
    *, actor: Account, activity: dict, inboxes: list[str], status_id: int | None = None
) -> OutboxActivity:
    """Store the activity and one pending delivery per inbox, commit, then enqueue the tries.
    Idempotent on the activity id: a repeat adds only missing inboxes (and when the payload
    changed, sends the new payload to all of them again)."""
    stored = {
        "uri": activity["id"], "type": str(activity.get("type", "")), "account_id": actor.id,
        "status_id": status_id, "payload": activity,
    }  # fmt: skip
    db.session.execute(insert_ignore(OutboxActivity, [stored], ["uri"]))  # safe when racing
    outbox = db.session.scalars(
        select(OutboxActivity).where(OutboxActivity.uri == activity["id"])
    ).one()
    changed = outbox.payload != activity
    if changed:
        outbox.payload = activity
    now = utcnow()
    urls = list(dict.fromkeys(url for url in inboxes if url))
    rows = [
        {"activity_id": outbox.id, "inbox_url": url, "domain": hosts.normalize_host(url),
         "state": DeliveryState.PENDING, "attempts": 0, "next_attempt_at": now}
        for url in urls
    ]  # fmt: skip
    if rows:
        db.session.execute(insert_ignore(Delivery, rows, ["activity_id", "inbox_url"]))
    if changed and urls:
        db.session.execute(
            update(Delivery)
            .where(Delivery.activity_id == outbox.id, Delivery.inbox_url.in_(urls))
            .values(state=DeliveryState.PENDING, attempts=0, next_attempt_at=now)
        )
    db.session.commit()
    ids = db.session.scalars(
        select(Delivery.id).where(
            Delivery.activity_id == outbox.id,
            Delivery.state == DeliveryState.PENDING,
            Delivery.attempts == 0,
        )
    ).all()
    for delivery_id in ids:
        tasks.deliver(delivery_id)
    return outbox


def cancel_for_status(status_id: int) -> int:
    """Cancel pending deliveries about a status (and about its boosts); returns how many."""
    boosts = select(Status.id).where(Status.reblog_of_id == status_id)
    return cancel(
        select(OutboxActivity.id).where(
            or_(OutboxActivity.status_id == status_id, OutboxActivity.status_id.in_(boosts))
        )
    )


def cancel(activities) -> int:
    """Cancel the pending deliveries of these activities (ids, or a select of ids)."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.activity_id.in_(activities), Delivery.state == DeliveryState.PENDING)
        .values(state=DeliveryState.CANCELLED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


def due_ids(limit: int = REQUEUE_BATCH) -> list[int]:
    """Pending rows whose next try is due, oldest first."""
    query = (
        select(Delivery.id)
        .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= utcnow())
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def requeue_due(limit: int = REQUEUE_BATCH) -> int:
    ids = due_ids(limit)
    db.session.commit()
    for delivery_id in ids:
        tasks.deliver(delivery_id)
    return len(ids)


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed try: exponential, capped, jittered."""
    delay = min(_base_delay() * BACKOFF_FACTOR ** max(attempts - 1, 0), MAX_DELAY)
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


def _base_delay() -> float:
    settings = current_app.config.get("FEDI") if has_app_context() else None
    return float(getattr(settings, "DELIVERY_RETRY_BASE", BASE_DELAY))


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take the row for one try, or None when it is not pending or not due (another task has it)."""
    claimed = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(next_attempt_at=now + IN_FLIGHT, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(Delivery, delivery_id) if claimed else None


def attempt(delivery_id: int) -> None:
    """One try of one delivery (the `deliver` task)."""
    now = utcnow()
    row = db.session.get(Delivery, delivery_id)
    if row is None or row.state != DeliveryState.PENDING:
        return
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return  # not due (a duplicate task, or one that another worker is running)
    if _held_back(row, now):
        return
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return
    actor = db.session.get(Account, delivery.activity.account_id)
    if actor is None or not actor.private_key:
        _finish(delivery, DeliveryState.FAILED, None, "no local signer", 0)
        return
    inbox, body = delivery.inbox_url, orjson.dumps(delivery.activity.payload)
    signer = Signer(uri=actor.uri, public_key_id=actor.public_key_id, private_key=actor.private_key)
    db.session.commit()  # no transaction stays open while the remote server takes its time
    started = time.monotonic()
    result = client.post_activity(inbox, body, signer=signer)
    duration = int((time.monotonic() - started) * 1000)
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is not None:
        _record(delivery, result, duration)


def _held_back(row: Delivery, now: datetime) -> bool:
    """True when the row's domain is unavailable and this is not its probe: the row waits."""
    health = db.session.get(DomainHealth, row.domain)
    if health is None or not health.unavailable:
        return False
    probe_after = now - PROBE_INTERVAL
    took_probe = db.session.execute(
        update(DomainHealth)
        .where(
            DomainHealth.domain == row.domain,
            or_(
                DomainHealth.last_failure_at.is_(None), DomainHealth.last_failure_at <= probe_after
            ),
        )
        .values(last_failure_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if took_probe:
        db.session.commit()
        return False
    if row.created_at is not None and row.created_at < now - MAX_WAIT:
        row.state, row.next_attempt_at = DeliveryState.FAILED, None
        row.last_error = "domain unavailable"
    else:
        row.next_attempt_at = now + PROBE_INTERVAL
    db.session.commit()
    return True


def _record(delivery: Delivery, result: client.PostResult, duration: int) -> None:
    code = result.status_code or None
    now = utcnow()
    if code is not None and 200 <= code < 300:
        _finish(delivery, DeliveryState.DELIVERED, code, None, duration)
        _domain_recovered(delivery.domain)
        return
    if code is not None and 400 <= code < 500 and code not in (408, 429):
        _finish(delivery, DeliveryState.FAILED, code, result.error, duration)
        return
    wait = 0.0
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, DeliveryState.FAILED, code, result.error, duration)
    else:
        wait = backoff(delivery.attempts)
        if code in (429, 503) and result.retry_after is not None:
            wait = min(max(result.retry_after, 1.0), MAX_RETRY_AFTER)
        _log(delivery, code, result.error, duration)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    if code != 429:
        _domain_failed(delivery.domain, now)
    db.session.commit()
    if delivery.state == DeliveryState.PENDING and wait <= RETRY_TASK_MAX:
        # A timely retry; `requeue_due` (every minute) still catches it if this task is lost.
        tasks.deliver.schedule((delivery.id,), delay=wait)


def _log(delivery: Delivery, code: int | None, error: str | None, duration: int) -> None:
    delivery.last_attempt_at = utcnow()
    delivery.last_status_code, delivery.last_error = code, (error or None)
    db.session.add(
        DeliveryAttempt(
            delivery_id=delivery.id, status_code=code, error=error, duration_ms=duration
        )
    )


def _finish(
    delivery: Delivery, state: DeliveryState, code: int | None, error: str | None, duration: int
) -> None:
    _log(delivery, code, error, duration)
    delivery.state, delivery.next_attempt_at = state, None
    if state == DeliveryState.DELIVERED:
        delivery.delivered_at = utcnow()
    db.session.commit()


def _domain_failed(domain: str, now: datetime) -> None:
    """Count a failure day for the domain; enough distinct days make it unavailable."""
    db.session.execute(
        insert_ignore(DomainHealth, [{"domain": domain, "failure_days": 0}], ["domain"])
    )
    health = db.session.scalar(
        select(DomainHealth).where(DomainHealth.domain == domain).with_for_update()
    )
    if health is None:
        return
    last = health.last_failure_at
    if last is None or last.date() != now.date():
        health.failure_days += 1
    health.first_failure_at = health.first_failure_at or now
    health.last_failure_at = now
    if health.failure_days >= FAILURE_DAYS and not health.unavailable:
        health.unavailable = True
        log.warning("delivery: %s failed on %d days, marked unavailable", domain, FAILURE_DAYS)


def _domain_recovered(domain: str) -> None:
    """The first success clears the record; rows held for an unavailable domain become due."""
    health = db.session.get(DomainHealth, domain)
    if health is None:
        return
    was_unavailable = health.unavailable
    db.session.execute(delete(DomainHealth).where(DomainHealth.domain == domain))
    if was_unavailable:
        log.info("delivery: %s is reachable again", domain)
        db.session.execute(
            update(Delivery)
            .where(
                and_(Delivery.domain == domain, Delivery.state == DeliveryState.PENDING),
                Delivery.next_attempt_at > utcnow() + IN_FLIGHT,  # not those being tried now
            )
            .values(next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
