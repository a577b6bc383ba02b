"""Idempotency keys expire: the hourly task forgets every expired key, whoever posted it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import IdempotencyKey
from fedi.queue import huey
from fedi.services import idempotency, statuses
from fedi.tasks import pruning


def test_expired_keys_are_pruned_by_the_periodic_task(alice, bob):
    mine = statuses.post_status(account=alice, text="once")
    theirs = statuses.post_status(account=bob, text="twice")
    idempotency.remember(alice, "old", mine.id)
    idempotency.remember(alice, "fresh", mine.id)
    idempotency.remember(bob, "old too", theirs.id)
    db.session.commit()
    for key in db.session.scalars(select(IdempotencyKey).where(IdempotencyKey.key != "fresh")):
        key.created_at -= idempotency.EXPIRY + timedelta(minutes=1)
    db.session.commit()

    pruning.prune_idempotency_keys.call_local()

    db.session.expire_all()
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["fresh"]
    assert idempotency.find(alice, "fresh").id == mine.id


def test_pruning_runs_every_hour():
    for hour in range(24):
        due = huey.read_periodic(datetime(2024, 1, 1, hour, 7))
        assert pruning.prune_idempotency_keys.task_class in [type(t) for t in due]
