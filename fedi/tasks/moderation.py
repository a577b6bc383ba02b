"""Moderation's background work: the end of suspended accounts' retention."""

from __future__ import annotations

from huey import crontab

from fedi.queue import periodic, task
from fedi.services import account_purge


@periodic(crontab(minute="37"))
def purge_suspended_accounts() -> None:
    """Delete the data of accounts suspended longer than the retention (30 days)."""
    for account_id in account_purge.due():
        account_purge.purge(account_id)


@task(retries=3, retry_delay=60)
def purge_suspended_account(account_id: int) -> None:
    """One account's data, now (an admin deleted it before the retention ended)."""
    account_purge.purge(account_id)
