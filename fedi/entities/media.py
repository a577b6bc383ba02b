"""The MediaAttachment entity."""

from __future__ import annotations

from typing import Any

from fedi.models import MediaAttachment, MediaType, ProcessingState
from fedi.urls import media_url


def media_attachment(row: MediaAttachment) -> dict[str, Any]:
    done = row.processing == ProcessingState.DONE
    url = media_url(row.file_path, row.remote_url) if done else None  # Mastodon: null until ready
    preview = media_url(row.thumbnail_path, row.thumbnail_remote_url)
    # A sound has no picture of its own; a plain link (e.g. rejected media) has no preview.
    if preview is None and row.type not in (MediaType.AUDIO, MediaType.UNKNOWN):
        preview = url
    meta = dict(row.meta or {})
    if row.focus_x is not None and row.focus_y is not None:
        meta["focus"] = {"x": row.focus_x, "y": row.focus_y}
    return {
        "id": str(row.id),
        "type": row.type.value,
        "url": url,
        "preview_url": preview,
        "remote_url": row.remote_url if row.file_path else None,
        "preview_remote_url": row.thumbnail_remote_url,
        "text_url": None,
        "meta": meta,
        "description": row.description,
        "blurhash": row.blurhash,
    }
