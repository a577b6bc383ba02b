"""The FeaturedTag entity, and the Tag entity the featured-tag suggestions answer with."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fedi import urls
from fedi.entities.common import date
from fedi.models import Account, Tag
from fedi.services.featured_tags import FeaturedTagView


def featured_tag(view: FeaturedTagView, account: Account) -> dict[str, Any]:
    profile = account.url or account.uri
    return {
        "id": str(view.row.id),
        "name": view.row.name,
        "url": f"{profile}/tagged/{quote(view.row.tag.name)}",
        "statuses_count": str(view.statuses_count),
        "last_status_at": date(view.last_status_at),
    }


def tag(row: Tag, history: list[dict[str, str]]) -> dict[str, Any]:
    return {"name": row.display_name or row.name, "url": urls.tag_url(row.name), "history": history}
