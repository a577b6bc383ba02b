"""Media processing: an upload decoded and converted in a worker (services/media_processing.py),
which marks a file it cannot process as failed and goes on; a sweep queues again the uploads
whose task was lost."""

from __future__ import annotations

from huey import crontab

from fedi.queue import enqueue, periodic, task
from fedi.services import media_processing


@task()
def process_media(media_id: int) -> None:
    media_processing.process(media_id)


@periodic(crontab(minute="*/10"))
def requeue_stalled_media() -> None:
    for media_id in media_processing.stalled():
        enqueue("process_media", media_id)
