"""The Announcement entity (with its Reaction entities)."""

from __future__ import annotations

from typing import Any

from fedi import urls
from fedi.entities.common import iso
from fedi.entities.custom_emoji import custom_emoji
from fedi.models import Announcement
from fedi.services.announcements import Details, Reaction


def reaction(row: Reaction) -> dict[str, Any]:
    body: dict[str, Any] = {"name": row.name, "count": row.count, "me": row.me}
    if row.emoji is not None:
        emoji = custom_emoji(row.emoji)
        body["url"] = emoji["url"]
        body["static_url"] = emoji["static_url"]
    return body


def announcement(row: Announcement, details: Details) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "content": row.text,
        "starts_at": iso(row.starts_at),
        "ends_at": iso(row.ends_at),
        "all_day": row.all_day,
        "published_at": iso(row.published_at or row.created_at),
        "updated_at": iso(row.updated_at),
        "read": row.id in details.dismissed,
        "mentions": [
            {"id": str(a.id), "username": a.username, "url": a.url or a.uri, "acct": a.acct}
            for a in details.mentions.get(row.id, [])
        ],
        "statuses": [
            {"id": str(s.id), "url": s.url or s.uri} for s in details.statuses.get(row.id, [])
        ],
        "tags": [
            {"name": t.name, "url": urls.tag_url(t.name)} for t in details.tags.get(row.id, [])
        ],
        "emojis": [custom_emoji(e) for e in details.emojis.get(row.id, [])],
        "reactions": [reaction(r) for r in details.reactions.get(row.id, [])],
    }
