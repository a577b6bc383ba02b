"""The Tag entity: name, URL, seven days of usage history and, for a signed-in viewer, whether
it follows the tag. `tags()` loads history and follows for a whole page in two queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi import urls
from fedi.models import Account, Tag
from fedi.services import tag_follows, trends


def tags(rows: Sequence[Tag], viewer: Account | None) -> list[dict[str, Any]]:
    saved = [t.id for t in rows if t.id is not None]
    history = trends.tag_history(saved)
    following = tag_follows.following_ids(viewer, saved)
    empty = trends.tag_history([0])[0]
    out = []
    for row in rows:
        body: dict[str, Any] = {
            "id": str(row.id) if row.id is not None else "",
            "name": row.display_name or row.name,
            "url": urls.tag_url(row.name),
            "history": history.get(row.id, empty),
        }
        if viewer is not None:
            body["following"] = row.id in following
        out.append(body)
    return out


def tag(row: Tag, viewer: Account | None) -> dict[str, Any]:
    return tags([row], viewer)[0]
