"""Inbound activities: stored durably before anything else, idempotent on the activity id, then
processed in a task (`fedi.federation.handlers` decides what each one means)."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from fedi import queue
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, InboxItem, InboxState, utcnow
from fedi.services import remote
from fedi.services.upsert import insert_ignore_statement

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
REQUEUE_AFTER = timedelta(minutes=10)


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


def note(item_id: int, message: str) -> None:
    """Record something worth knowing about an item (kept with it, committed at once)."""
    item = db.session.get(InboxItem, item_id)
    if item is not None:
        item.error = message[:2000]
        db.session.commit()
