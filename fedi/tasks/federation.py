"""Inbound federation tasks (outbound delivery tasks live in fedi/tasks/delivery.py)."""

from __future__ import annotations

from huey import crontab

from fedi.federation import inbox
from fedi.queue import periodic, task


@task(retries=2, retry_delay=30)
def process_inbox_item(item_id: int) -> None:
    inbox.process(item_id)


@periodic(crontab(minute="*/5"))
def requeue_inbox_items() -> None:
    """Process again what a lost queue dropped (items still pending after ten minutes)."""
    inbox.requeue_pending()
