"""The ScheduledStatus entity."""

from __future__ import annotations

from typing import Any

from fedi.entities.common import iso
from fedi.entities.media import media_attachment
from fedi.models import MediaAttachment, ScheduledStatus


def scheduled_status(row: ScheduledStatus, media: list[MediaAttachment]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "scheduled_at": iso(row.scheduled_at),
        "params": dict(row.params or {}),
        "media_attachments": [media_attachment(m) for m in media],
    }
