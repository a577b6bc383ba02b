"""Periodic deletion of rows past their lifetime."""

from __future__ import annotations

from huey import crontab

from fedi.queue import periodic
from fedi.services import idempotency, sessions


@periodic(crontab(minute="7"))
def prune_idempotency_keys() -> None:
    """Forget expired `Idempotency-Key`s (posting forgets only the poster's own, so the keys of
    an account that stopped posting would stay otherwise)."""
    idempotency.prune_expired()


@periodic(crontab(minute="17"))
def prune_web_sessions() -> None:
    """Forget browser sessions idle for longer than their cookie lives."""
    sessions.prune_idle()
