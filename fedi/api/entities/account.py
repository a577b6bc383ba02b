"""The Account entity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from fedi.models import Account


def _iso(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z" if at else None


def _date(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%d") if at else None


def _media_url(path: str | None, remote: str | None, fallback: str) -> str:
    base = current_app.config["FEDI"].base_url
    if path:
        return f"{base}/media/{path}"
    return remote or f"{base}{fallback}"


def account(row: Account) -> dict[str, Any]:
    avatar = _media_url(row.avatar_file, row.avatar_remote_url, "/static/icons/avatar.png")
    header = _media_url(row.header_file, row.header_remote_url, "/static/icons/header.png")
    return {
        "id": str(row.id),
        "username": row.username,
        "acct": row.acct,
        "display_name": row.display_name,
        "locked": row.locked,
        "bot": row.bot,
        "discoverable": row.discoverable,
        "indexable": row.indexable,
        "group": row.actor_type == "Group",
        "created_at": _iso(row.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": row.note,
        "url": row.url or row.uri,
        "uri": row.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": row.followers_count,
        "following_count": row.following_count,
        "statuses_count": row.statuses_count,
        "last_status_at": _date(row.last_status_at),
        "hide_collections": row.hide_collections,
        "noindex": not row.indexable,
        "emojis": [],
        "roles": [],
        "fields": [
            {
                "name": f.get("name", ""),
                "value": f.get("value", ""),
                "verified_at": f.get("verified_at"),
            }
            for f in (row.fields or [])
        ],
    }
