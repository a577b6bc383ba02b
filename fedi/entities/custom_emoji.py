"""The CustomEmoji entity."""

from __future__ import annotations

from typing import Any

from fedi.models import CustomEmoji
from fedi.urls import media_url


def custom_emoji(row: CustomEmoji) -> dict[str, Any]:
    url = media_url(row.image_file, row.image_remote_url)
    static = media_url(row.static_file) or url
    body: dict[str, Any] = {
        "shortcode": row.shortcode,
        "url": url,
        "static_url": static,
        "visible_in_picker": row.visible_in_picker,
    }
    if row.category:
        body["category"] = row.category
    return body
