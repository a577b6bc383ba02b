"""Web Push delivery: one task per (subscription, notification)."""

from __future__ import annotations

from fedi.federation import web_push
from fedi.queue import task
from fedi.services import push


@task(retries=2, retry_delay=30)
def send_push(subscription_id: int, notification_id: int) -> None:
    web_push.send(subscription_id, notification_id)


@task()
def push_notification(notification_id: int) -> None:
    """Fan one new notification out to the recipient's subscriptions that want it."""
    for subscription_id in push.wanted(notification_id):
        send_push(subscription_id, notification_id)
