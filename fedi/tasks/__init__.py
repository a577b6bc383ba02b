"""Huey tasks: ids in, a few lines each, calling services. A missing row means nothing to do."""

from __future__ import annotations

from fedi.services import fanout, follow_events
from fedi.tasks import push  # noqa: F401  (Web Push: push_notification, send_push)
from fedi.tasks.delivery import *  # noqa: F403  (outbound federation: federate_*, deliver)
from fedi.tasks.federation import process_inbox_item  # noqa: F401  (inbound activities)
from fedi.tasks.queue import huey, task

__all__ = [
    "fan_out_status",
    "favourited",
    "follow_accepted",
    "follow_requested",
    "followed",
    "huey",
    "status_removed",
]


@task(retries=3, retry_delay=10)
def fan_out_status(status_id: int) -> None:
    fanout.fan_out_status(status_id)


@task(retries=3, retry_delay=10)
def status_removed(status_id: int) -> None:
    fanout.publish_removal(status_id)


@task(retries=3, retry_delay=10)
def favourited(favourite_id: int) -> None:
    follow_events.favourited(favourite_id)


@task(retries=3, retry_delay=10)
def followed(follow_id: int) -> None:
    follow_events.followed(follow_id)


@task(retries=3, retry_delay=10)
def follow_requested(request_id: int) -> None:
    follow_events.follow_requested(request_id)


@task(retries=3, retry_delay=10)
def follow_accepted(follow_id: int) -> None:
    follow_events.follow_accepted(follow_id)
