"""Publishing what was scheduled. Statuses: a delayed task per row at its time, and a sweep
every minute for rows whose task was lost (a queue emptied, a server down at the time); both
publish through `services.scheduled_statuses.publish`, which claims the row, so a row is posted
once. Announcements: a sweep every minute."""

from __future__ import annotations

import logging

from huey import crontab

from fedi.extensions import db
from fedi.queue import periodic, task
from fedi.services import announcement_admin, scheduled_statuses

log = logging.getLogger(__name__)


@task(retries=3, retry_delay=30)
def publish_scheduled_status(scheduled_id: int) -> None:
    scheduled_statuses.publish(scheduled_id)


@periodic(crontab(minute="*"))
def publish_due_scheduled_statuses() -> None:
    """Publish every due row now; one that fails stays for the next minute."""
    for scheduled_id in scheduled_statuses.due_ids():
        try:
            scheduled_statuses.publish(scheduled_id)
        except Exception:
            db.session.rollback()
            log.exception("publishing scheduled status %s failed", scheduled_id)


@periodic(crontab(minute="*"))
def publish_due_announcements() -> None:
    """Publish the announcements scheduled for now or earlier."""
    announcement_admin.publish_due()
