"""Periodic deletion of rows past their lifetime."""

from __future__ import annotations

from huey import crontab

from fedi.queue import periodic
from fedi.services import idempotency


@periodic(crontab(minute="7"))
def prune_idempotency_keys() -> None:
    """Forget expired `Idempotency-Key`s (posting forgets only the poster's own, so the keys of
    an account that stopped posting would stay otherwise)."""
    idempotency.prune_expired()
