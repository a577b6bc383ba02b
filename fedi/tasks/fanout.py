"""Local effects of an action, run after its commit: feeds, streams and notifications."""

from __future__ import annotations

from fedi.queue import task
from fedi.services import fanout, follow_effects, interaction_effects


@task(retries=3, retry_delay=10)
def fan_out_status(status_id: int) -> None:
    fanout.fan_out_status(status_id)


@task(retries=3, retry_delay=10)
def status_removed(status_id: int) -> None:
    fanout.publish_removal(status_id)


@task(retries=3, retry_delay=10)
def favourited(favourite_id: int) -> None:
    interaction_effects.favourited(favourite_id)


@task(retries=3, retry_delay=10)
def followed(follow_id: int) -> None:
    follow_effects.followed(follow_id)


@task(retries=3, retry_delay=10)
def follow_requested(request_id: int) -> None:
    follow_effects.follow_requested(request_id)


@task(retries=3, retry_delay=10)
def follow_accepted(follow_id: int) -> None:
    follow_effects.follow_accepted(follow_id)
