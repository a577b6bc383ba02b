"""Media processing: an upload decoded and converted in a worker (services/media_processing.py),
which marks a file it cannot process as failed and goes on."""

from __future__ import annotations

from fedi.queue import task
from fedi.services import media_processing


@task()
def process_media(media_id: int) -> None:
    media_processing.process(media_id)
