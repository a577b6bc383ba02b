"""Inbound activities: stored durably before anything else, idempotent on the activity id, then
processed in a task (`fedi.federation.handlers` decides what each one means).

Back-pressure: the inboxes refuse work they could not keep up with instead of letting the queue
grow without bound. Past `INBOX_QUEUE_LIMIT` items waiting to be processed (`backlog_full`,
counted at most once a second per process and never further than the limit), they answer 503
with `Retry-After` and store nothing; with `INBOX_HOST_LIMIT`, a remote host that delivered that
many activities in the current window of `INBOX_HOST_PERIOD` seconds gets 429 until it ends
(`host_wait`, checked before the signature; only verified activities count, so a forged one
cannot use up another host's budget). Senders retry later: Mastodon and Wren honour
`Retry-After`."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from datetime import timedelta
from typing import Any

from redis import RedisError
from sqlalchemy import func, select

from fedi import queue, rate_counters
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, InboxItem, InboxState, utcnow
from fedi.services import remote
from fedi.services.upsert import insert_ignore_statement

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
REQUEUE_AFTER = timedelta(minutes=10)
QUEUE_FULL_RETRY_AFTER = 30  # seconds a sender is asked to wait when the queue is full
PENDING_TTL = 1.0  # seconds a process keeps its count of the items waiting


def activity_uri(activity: dict[str, Any]) -> str:
    """The activity's id; an activity without one (some servers send transient ones) gets a
    stable one from its content, so a redelivery is still recognised."""
    given = remote.ref(activity.get("id"))
    if given:
        return given
    digest = hashlib.sha256(json.dumps(activity, sort_keys=True).encode()).hexdigest()
    return f"{(remote.ref(activity.get('actor')) or '')[:1900]}#transient-{digest}"


def receive(activity: dict[str, Any], recipient: Account | None) -> int | None:
    """Store a verified activity and enqueue its processing; the new item's id. None when it
    was already received (a redelivery, or the same activity arriving at the same time on
    another worker): it is not processed again. One INSERT, no row loaded."""
    row = {
        "id": new_id(), "activity_uri": activity_uri(activity),
        "activity_type": str(activity.get("type") or "")[:64],
        "actor_uri": remote.ref(activity.get("actor")) or "",
        "recipient_account_id": recipient.id if recipient is not None else None,
        "payload": activity, "state": InboxState.PENDING, "attempts": 0, "error": None,
        "processed_at": None, "created_at": utcnow(),
    }  # fmt: skip
    session = db.session()
    # Nothing read yet (the signer came from its cache): the one statement commits by itself,
    # without the BEGIN and COMMIT round trips.
    alone = {"isolation_level": "AUTOCOMMIT"} if session.get_transaction() is None else {}
    statement = insert_ignore_statement(InboxItem, ["activity_uri"], returning="id")
    item_id = session.connection(execution_options=alone).execute(statement, row).scalar()
    session.commit()
    if item_id is not None:
        queue.enqueue("process_inbox_item", item_id)
    return item_id


def process(item_id: int) -> InboxState | None:
    """Run the handler of a pending item and record the outcome (processed, ignored, failed).
    A handler error is retried by the task up to MAX_ATTEMPTS, then the item is failed."""
    from fedi.federation import handlers

    item = db.session.get(InboxItem, item_id)
    if item is None or item.state != InboxState.PENDING:
        return None
    try:
        handled = handlers.dispatch(item)
    except Exception as exc:
        db.session.rollback()
        item = db.session.get(InboxItem, item_id)
        item.attempts += 1
        item.error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if item.attempts >= MAX_ATTEMPTS:
            item.state = InboxState.FAILED
        db.session.commit()
        log.warning("inbox item %s (%s) failed: %s", item_id, item.activity_type, exc)
        if item.state == InboxState.PENDING:
            raise
        return item.state
    return finish(item_id, InboxState.PROCESSED if handled else InboxState.IGNORED)


def finish(item_id: int, state: InboxState, note: str | None = None) -> InboxState:
    item = db.session.get(InboxItem, item_id)
    item.state, item.processed_at = state, utcnow()
    item.attempts += 1
    if note:
        item.error = note[:2000]
    db.session.commit()
    return state


def requeue_pending(*, older_than: timedelta = REQUEUE_AFTER, limit: int = 500) -> int:
    """Enqueue again the items still pending well after they arrived (their task was lost with
    the queue): the database, not the queue, is the record of what must be processed."""
    cutoff = utcnow() - older_than
    ids = db.session.scalars(
        select(InboxItem.id)
        .where(InboxItem.state == InboxState.PENDING, InboxItem.created_at < cutoff)
        .order_by(InboxItem.id)
        .limit(limit)
    ).all()
    for item_id in ids:
        queue.enqueue("process_inbox_item", item_id)
    return len(ids)


# -- back-pressure ---------------------------------------------------------------------------

_pending_lock = threading.Lock()
_pending: tuple[float, int, int] = (0.0, 0, 0)  # (counted at, up to, count), per process


def backlog_full(limit: int) -> bool:
    """Whether at least `limit` received items wait to be processed (0: never)."""
    return limit > 0 and _pending_count(limit) >= limit


def _pending_count(limit: int) -> int:
    """Items waiting, counted no further than `limit`, at most once per PENDING_TTL; on a
    connection of its own, outside the request's transaction."""
    global _pending
    counted_at, up_to, count = _pending
    now = time.monotonic()
    if now - counted_at < PENDING_TTL and up_to == limit:
        return count
    with _pending_lock:
        counted_at, up_to, count = _pending
        if now - counted_at < PENDING_TTL and up_to == limit:
            return count
        waiting = select(InboxItem.id).where(InboxItem.state == InboxState.PENDING).limit(limit)
        with db.engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(waiting.subquery())) or 0
        _pending = (time.monotonic(), limit, count)
        return count


def _host_key(host: str, period: int) -> tuple[str, float]:
    now = time.time()
    window = int(now // period)
    return f"{rate_counters.PREFIX}inbox:{window}:{host}", (window + 1) * period - now


def host_wait(host: str, limit: int, period: int) -> int | None:
    """Seconds until `host` may deliver again when it used up its budget of `limit` activities
    in the current window, else None. Never refuses when the counters cannot be read."""
    key, left = _host_key(host, period)
    try:
        (count,) = rate_counters.store().peek([key])
    except (RedisError, OSError) as exc:
        log.warning("inbox: host budget skipped: %s", exc)
        return None
    return max(1, math.ceil(left)) if count >= limit else None


def count_host(host: str, period: int) -> None:
    """Count one verified activity from `host` against its budget."""
    key, _ = _host_key(host, period)
    try:
        rate_counters.store().hit([(key, period)])
    except (RedisError, OSError) as exc:
        log.warning("inbox: host budget not counted: %s", exc)


def note(item_id: int, message: str) -> None:
    """Record something worth knowing about an item (kept with it, committed at once)."""
    item = db.session.get(InboxItem, item_id)
    if item is not None:
        item.error = message[:2000]
        db.session.commit()
