"""The Account entity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.common import date, iso
from fedi.entities.custom_emoji import custom_emoji
from fedi.models import Account, CustomEmoji
from fedi.urls import media_url


def account(
    row: Account, *, moved: Account | None = None, emojis: Sequence[CustomEmoji] = ()
) -> dict[str, Any]:
    """`moved`: the account `row` moved to, when the caller loaded it (Mastodon's `moved`).
    `emojis`: the custom emoji its name, bio and fields use, when the caller loaded them
    (services/custom_emojis.py)."""
    avatar = media_url(row.avatar_file, row.avatar_remote_url, "/static/icons/avatar.png")
    header = media_url(row.header_file, row.header_remote_url, "/static/icons/header.png")
    body: dict[str, Any] = {
        "id": str(row.id),
        "username": row.username,
        "acct": row.acct,
        "display_name": row.display_name,
        "locked": row.locked,
        "bot": row.bot,
        "discoverable": row.discoverable,
        "indexable": row.indexable,
        "group": row.actor_type == "Group",
        "created_at": iso(row.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
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
        "last_status_at": date(row.last_status_at),
        "hide_collections": row.hide_collections,
        "noindex": not row.indexable,
        "emojis": [custom_emoji(e) for e in emojis],
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
    if moved is not None and moved.id == row.moved_to_account_id:
        body["moved"] = account(moved)
    if row.suspended_at is not None:  # as Mastodon: the account, without its profile
        default_avatar = media_url(None, None, "/static/icons/avatar.png")
        default_header = media_url(None, None, "/static/icons/header.png")
        body.update(
            suspended=True, display_name="", note="", fields=[], locked=False, bot=False,
            avatar=default_avatar, avatar_static=default_avatar, header=default_header,
            header_static=default_header,
        )  # fmt: skip
    if row.silenced_at is not None:
        body["limited"] = True
    return body
