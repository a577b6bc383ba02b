"""Durable outbound delivery: one `Delivery` row per (activity, inbox), tried in batches.

The fan-out of an activity enqueues its rows in batches (`deliver_batch` tasks of `BATCH` ids).
A batch task claims its rows atomically (one UPDATE; duplicate tasks are harmless), signs one
POST per row and hands them all to this process's sender (`federation.sender`), which runs many
POSTs at once, each under its 30 s deadline, so that slow or dead servers never delay healthy
ones nor hold a worker thread. No database transaction stays open while servers take their time.
Outcomes are recorded in bulk, each try in the attempt log: by the task itself when it waits
(immediate mode, tests), else by the process's recorder thread (`delivery_recorder`) as they
come in. Outcomes:

- 2xx: delivered; the domain's failure record is cleared (an unavailable domain recovers and its
  waiting rows become due at once);
- 429/503: retried after `Retry-After` when given, else with backoff;
- other 4xx (but 408): failed for good;
- 5xx, 408, network errors and deadlines: retried with exponential backoff and jitter, and the
  failure counts against the domain (`domain_health`: a domain failing on seven distinct days is
  unavailable, and then only one probe an hour goes out). An inbox that looks unreachable
  (network errors, deadlines, 408, 429, 502-504, 520-530) is tried until the row is `MAX_WAIT`
  old (the 14 days an unavailable domain's rows are kept); other answers (500, ...) get
  `MAX_ATTEMPTS` tries, about three days;
- deferred by the sender (the domain is slow right now): not a try; due again after
  `DEFER_WAIT`.

In order per inbox: a row that waits (it failed as if its inbox were unreachable, was held for
an unavailable domain, or was deferred) starts its inbox's backlog (`Delivery.backlog`). A newer
row to that inbox is not sent while an older backlog row is pending: it is `QUEUED` behind it.
When an inbox's backlog has no pending row left (the oldest was delivered, given up or
cancelled), its next `BATCH` queued rows become pending and go in one task, as one chain: the
sender posts them one after another, oldest first, and stops at the first that does not get
through (the rest come back deferred). So after an outage an inbox receives what it missed in
the order it was created. Rows to an inbox with no backlog go at once, concurrently, as before
(two activities created at the same moment may then arrive in either order), and a row that
got a server error such as 500 is retried on its own without holding the others back: one
activity a server cannot take never blocks the inbox.

Huey only triggers attempts: `requeue_due` (a periodic task) re-enqueues rows that are due, and
moves on backlogs that nothing moves (their oldest row was cancelled, or the task that carried
them was lost), so a lost queue, or a worker that died mid-try (its rows are due again after
`IN_FLIGHT`), loses nothing.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from flask import current_app, has_app_context
from sqlalchemy import insert, or_, select, update

from fedi import hosts, queue
from fedi.extensions import db
from fedi.federation import client, delivery_recorder, domain_health, sender
from fedi.federation import delivery_backlog as backlog
from fedi.ids import new_id
from fedi.models import (
    Account,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    OutboxActivity,
    Status,
    utcnow,
)
from fedi.services import domain_policy
from fedi.services.upsert import insert_ignore, insert_ignore_statement

log = logging.getLogger(__name__)

BASE_DELAY = 30.0  # seconds before the first retry (Settings.DELIVERY_RETRY_BASE)
BACKOFF_FACTOR = 2.2
MAX_DELAY = 12 * 3600.0  # one wait never exceeds this
MAX_ATTEMPTS = 16  # ~3.3 days of tries with the figures above
MAX_RETRY_AFTER = 24 * 3600.0
JITTER = 0.2  # +-20 %
IN_FLIGHT = timedelta(minutes=3)  # a claimed row is due again if its worker died mid-try
REQUEUE_BATCH = 1000
BATCH = 100  # deliveries per task
RETRY_TASK_MAX = 300.0  # retries due within this many seconds get delayed tasks...
RETRY_GROUP = 2.0  # ...one per this many seconds of due times
DEFER_WAIT = client.POST_DEADLINE  # a deferred row waits for its slow domain's POSTs to end
MAX_WAIT = domain_health.MAX_WAIT  # an unreachable inbox's rows are tried until this old
# A chain starts no POST after this many seconds, so that all of it ends before its rows are
# due again (IN_FLIGHT after they were claimed).
CHAIN_BUDGET = IN_FLIGHT.total_seconds() - 2 * client.POST_DEADLINE


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
    changed, sends the new payload to all of them again). Inboxes on refused domains (blocked,
    or not allowed: services/domain_policy.py) get nothing."""
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
    urls = [url for url in dict.fromkeys(inboxes) if url and not domain_policy.refused_url(url)]
    rows = [
        {"activity_id": outbox.id, "inbox_url": url, "domain": hosts.normalize_host(url),
         "state": DeliveryState.PENDING, "attempts": 0, "next_attempt_at": now}
        for url in urls
    ]  # fmt: skip
    if rows:  # executemany of one cached statement: a multi-VALUES one compiles per call
        statement = insert_ignore_statement(Delivery, ["activity_id", "inbox_url"])
        db.session.execute(statement, [{"id": new_id(), **row} for row in rows])
    if changed and urls:
        db.session.execute(
            update(Delivery)
            .where(Delivery.activity_id == outbox.id, Delivery.inbox_url.in_(urls))
            .values(state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, backlog=False)
        )
    db.session.commit()
    ids = db.session.scalars(
        select(Delivery.id).where(
            Delivery.activity_id == outbox.id,
            Delivery.state == DeliveryState.PENDING,
            Delivery.attempts == 0,
        )
    ).all()
    _enqueue(ids)
    return outbox


def _chunks(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _enqueue(ids: Iterable[int], delay: float = 0.0) -> None:
    for chunk in _chunks(ids):
        queue.enqueue("deliver_batch", chunk, delay=delay)


def cancel_for_status(status_id: int) -> int:
    """Cancel pending deliveries about a status (and about its boosts); returns how many."""
    boosts = select(Status.id).where(Status.reblog_of_id == status_id)
    return cancel(
        select(OutboxActivity.id).where(
            or_(OutboxActivity.status_id == status_id, OutboxActivity.status_id.in_(boosts))
        )
    )


def cancel(activities) -> int:
    """Cancel the pending (and queued) deliveries of these activities (ids, or a select of
    ids); the backlogs they held up move on. Returns how many."""
    cancelled = db.session.execute(
        update(Delivery)
        .where(Delivery.activity_id.in_(activities), Delivery.state.in_(backlog.WAITING))
        .values(state=DeliveryState.CANCELLED, next_attempt_at=None, backlog=False)
        .returning(Delivery.inbox_url)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    _move_backlogs({url for (url,) in cancelled}, utcnow())
    return len(cancelled)


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
    """Enqueue the due rows (an inbox's together, oldest first), after failing the queued rows
    that waited longer than MAX_WAIT and moving on the backlogs nothing moves; how many rows
    were enqueued."""
    now = utcnow()
    backlog.expire(now, MAX_WAIT)
    moved = _move_backlogs(None, now)
    rows = db.session.execute(
        select(Delivery.id, Delivery.inbox_url)
        .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    ).all()
    db.session.commit()
    ids = [row_id for row_id, _ in sorted(rows, key=lambda row: (row.inbox_url, row.id))]
    _enqueue([row_id for row_id in ids if row_id not in moved])
    return len(ids)


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed try: exponential, capped, jittered."""
    delay = min(_base_delay() * BACKOFF_FACTOR ** max(attempts - 1, 0), MAX_DELAY)
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


def _base_delay() -> float:
    settings = current_app.config.get("FEDI") if has_app_context() else None
    return float(getattr(settings, "DELIVERY_RETRY_BASE", BASE_DELAY))


# -- trying ----------------------------------------------------------------------------------


def attempt(delivery_id: int) -> None:
    """One try of one delivery, its outcome recorded before returning."""
    attempt_many([delivery_id], wait=True)


def attempt_many(ids: list[int], *, wait: bool) -> int:
    """Try those of these deliveries that are pending and due; returns how many were tried.
    Each POST leaves as soon as it is signed. With `wait` the outcomes are recorded before
    returning; else this process's recorder records them as they come (the calling worker
    thread is free once the POSTs are handed over)."""
    now = utcnow()
    due = backlog.in_turn(_due(ids, now))
    allowed = set(domain_health.not_held_back([(row.id, row.domain) for row in due], now))
    going = [row for row in due if row.id in allowed]
    claimed = _claim([row.id for row in going], now)
    if not claimed:
        return 0
    signers = _signers(claimed)
    db.session.commit()  # no transaction stays open while remote servers take their time
    out = sender.get(current_app.config["FEDI"])
    done = None if wait else delivery_recorder.get(record_outcomes).put
    futures, unsigned = [], []
    bodies: dict[int, bytes] = {}
    chains, skipped = backlog.chains(going, claimed)
    for chain in chains:
        posts = []
        for row in chain:
            activity_id, signer, payload = signers[row.activity_id]
            if signer is None or not signer.private_key:
                failure = client.PostResult(0, error="no local signer")
                unsigned.append(sender.Outcome(row.id, failure))
                continue
            body = bodies.get(activity_id) or bodies.setdefault(activity_id, orjson.dumps(payload))
            headers = client.sign_post(row.inbox_url, body, signer=signer)
            posts.append(
                sender.Post(row.id, row.domain, row.inbox_url, headers, body, client.POST_DEADLINE)
            )
        if posts:
            futures += out.submit_chain(posts, done, _lets_next_go, CHAIN_BUDGET)
    record_outcomes(unsigned, give_up=True)
    record_outcomes([sender.Outcome(row_id, None) for row_id in skipped])
    if wait:
        record_outcomes([future.result() for future in futures])
    return len(claimed)


def _due(ids: list[int], now: datetime) -> list:
    """(id, inbox_url, domain) of these rows that are pending and due, oldest first."""
    return db.session.execute(
        select(Delivery.id, Delivery.inbox_url, Delivery.domain)
        .where(
            Delivery.id.in_(ids),
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .order_by(Delivery.id)
    ).all()


def _claim(ids: list[int], now: datetime) -> list:
    """Take the rows for one try each (those still pending and due: another task may have
    taken some); (id, activity_id, inbox_url, domain) of each taken row."""
    if not ids:
        return []
    claimed = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(next_attempt_at=now + IN_FLIGHT, attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.activity_id, Delivery.inbox_url, Delivery.domain)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return claimed


def _signers(claimed: list) -> dict[int, tuple[int, Signer | None, dict]]:
    """activity id -> (activity id, its actor's signer or None, its payload)."""
    activities = db.session.execute(
        select(OutboxActivity.id, OutboxActivity.account_id, OutboxActivity.payload).where(
            OutboxActivity.id.in_({row.activity_id for row in claimed})
        )
    ).all()
    signers = {
        row.id: Signer(row.uri, row.public_key_id, row.private_key)
        for row in db.session.execute(
            select(Account.id, Account.uri, Account.public_key_id, Account.private_key).where(
                Account.id.in_({a.account_id for a in activities})
            )
        )
    }
    return {a.id: (a.id, signers.get(a.account_id), a.payload) for a in activities}


# -- recording -------------------------------------------------------------------------------


def record_outcomes(outcomes: list[sender.Outcome], *, give_up: bool = False) -> None:
    """Record a batch of outcomes in one transaction (tries logged, rows delivered, failed or
    rescheduled, domain health updated), then move on the backlogs that these rows held up and
    schedule the timely retries. `give_up`: every failure is final."""
    if not outcomes:
        return
    now = utcnow()
    delivered = [o for o in outcomes if o.result is not None and _success(o.result.status_code)]
    tries, recovered, moving = _record_delivered(delivered, now)
    others = [o for o in outcomes if o.result is None or not _success(o.result.status_code)]
    retries: dict[int, float] = {}
    failing: set[str] = set()
    rows = {}
    if others:
        query = select(Delivery).where(Delivery.id.in_([o.key for o in others]))
        rows = {row.id: row for row in db.session.scalars(query)}
    for outcome in others:
        row = rows.get(outcome.key)
        if row is None:
            continue
        if outcome.result is None:  # deferred: not a try; the inbox's next rows wait for it
            if row.state == DeliveryState.PENDING:
                row.attempts -= 1
                row.next_attempt_at = now + timedelta(seconds=DEFER_WAIT)
                row.backlog = True
                retries[row.id] = DEFER_WAIT
            continue
        result, code = outcome.result, outcome.result.status_code or None
        tries.append({"delivery_id": row.id, "status_code": code, "error": result.error,
                      "duration_ms": outcome.duration_ms})  # fmt: skip
        row.last_attempt_at, row.last_status_code = now, code
        row.last_error = result.error or None
        wait = _outcome(row, code, result.retry_after, give_up, now)
        if not give_up and code != 429 and not _permanent(code):
            failing.add(row.domain)
        if wait is not None:
            retries[row.id] = wait
        if not (row.state == DeliveryState.PENDING and row.backlog):
            moving.add(row.inbox_url)  # it holds its inbox's backlog up no more
    if tries:
        db.session.execute(insert(DeliveryAttempt), tries)
    for domain in sorted(failing):  # in order: concurrent recorders lock rows alike
        domain_health.failed(domain, now)
    db.session.commit()
    domain_health.recovered(recovered, now, IN_FLIGHT)
    _move_backlogs(moving, now)
    _schedule(retries)


def _success(code: int) -> bool:
    return 200 <= code < 300


def _delivered(code: int, now: datetime) -> dict:
    return {
        "state": DeliveryState.DELIVERED, "next_attempt_at": None, "delivered_at": now,
        "last_attempt_at": now, "last_status_code": code, "last_error": None, "backlog": False,
    }  # fmt: skip


def _record_delivered(
    delivered: list[sender.Outcome], now: datetime
) -> tuple[list, set[str], set[str]]:
    """Mark the delivered rows in one UPDATE per status code (no rows loaded): the common case
    of a fan-out is a thousand of them. The tries to log, the domains that answered and the
    inboxes."""
    by_code: dict[int, list[int]] = {}
    for outcome in delivered:
        by_code.setdefault(outcome.result.status_code, []).append(outcome.key)
    found: dict[int, tuple[str, str]] = {}
    for code, ids in by_code.items():
        for row_id, domain, inbox_url in db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(_delivered(code, now))
            .returning(Delivery.id, Delivery.domain, Delivery.inbox_url)
            .execution_options(synchronize_session=False)
        ):
            found[row_id] = (domain, inbox_url)
    tries = [
        {"delivery_id": o.key, "status_code": o.result.status_code, "error": None,
         "duration_ms": o.duration_ms}
        for o in delivered if o.key in found
    ]  # fmt: skip
    return tries, {d for d, _ in found.values()}, {url for _, url in found.values()}


def _outcome(
    row: Delivery, code: int | None, retry_after: float | None, give_up: bool, now: datetime
) -> float | None:
    """Apply a failed try's outcome to its row; the seconds until its retry, if any."""
    if row.state != DeliveryState.PENDING:  # cancelled while in flight
        return None
    unreachable = _unreachable(code)
    if give_up or _permanent(code) or _out_of_time(row, unreachable, now):
        row.state, row.next_attempt_at, row.backlog = DeliveryState.FAILED, None, False
        return None
    row.backlog = unreachable  # an unreachable inbox's newer rows wait behind this one
    wait = backoff(row.attempts)
    if code in (429, 503) and retry_after is not None:
        wait = min(max(retry_after, 1.0), MAX_RETRY_AFTER)
    row.next_attempt_at = now + timedelta(seconds=wait)
    return wait


def _permanent(code: int | None) -> bool:
    """A client error that a retry will not fix (408 and 429 are worth retrying)."""
    return code is not None and 400 <= code < 500 and code not in (408, 429)


def _unreachable(code: int | None) -> bool:
    """No answer, or one saying that the inbox cannot take anything now (timeouts, rate limits,
    gateways and proxies in front of a server that is down): the inbox's rows wait in order.
    Other server errors (500, ...) concern the one activity."""
    return code is None or code in (408, 429, 502, 503, 504) or 520 <= code <= 530


def _lets_next_go(outcome: sender.Outcome) -> bool:
    """Whether a chain goes on to the inbox's next row after this outcome."""
    return outcome.result is not None and not _unreachable(outcome.result.status_code or None)


def _out_of_time(row: Delivery, unreachable: bool, now: datetime) -> bool:
    if unreachable:
        return row.created_at is not None and row.created_at <= now - MAX_WAIT
    return row.attempts >= MAX_ATTEMPTS


def _move_backlogs(inboxes: set[str] | None, now: datetime) -> set[int]:
    """For each of these inboxes (None: all) whose backlog has queued rows and no pending one,
    make the next BATCH queued rows pending and enqueue them in one task, where they go as one
    chain, oldest first. The ids made pending."""
    if inboxes is not None and not inboxes:
        return set()
    stalled = sorted(db.session.scalars(backlog.stalled(inboxes)))
    moved: list[list[int]] = []
    for inbox_url in stalled:  # in order: concurrent recorders lock rows alike
        ids = backlog.next_in_line(inbox_url, now, BATCH)
        if ids:
            moved.append(ids)
    db.session.commit()
    chunk: list[int] = []
    for ids in moved:  # an inbox's rows in one task
        if chunk and len(chunk) + len(ids) > BATCH:
            _enqueue(chunk)
            chunk = []
        chunk += ids
    if chunk:
        _enqueue(chunk)
    return {row_id for ids in moved for row_id in ids}


def _schedule(retries: dict[int, float]) -> None:
    """Delayed tasks for the timely retries, grouped by due time; `requeue_due` (every
    minute) still catches any that is lost, and those due later."""
    groups: dict[int, list[int]] = {}
    for row_id, wait in retries.items():
        if wait <= RETRY_TASK_MAX:
            groups.setdefault(math.ceil(wait / RETRY_GROUP), []).append(row_id)
    for slot, ids in sorted(groups.items()):
        _enqueue(ids, delay=slot * RETRY_GROUP)
