"""Hashtags: find-or-create by normalised name and attach them to statuses."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Status, StatusTag, Tag
from fedi.services.upsert import insert_ignore
from fedi.text.parse import normalize_tag

MAX_TAG = 255


def find_or_create(display_names: list[str]) -> list[Tag]:
    """Tags for these names, created when new (concurrent creators are tolerated)."""
    wanted: dict[str, str] = {}
    for display in display_names:
        name = normalize_tag(display)[:MAX_TAG]
        if name:
            wanted.setdefault(name, display[:MAX_TAG])
    if not wanted:
        return []
    rows = [{"name": name, "display_name": display} for name, display in wanted.items()]
    db.session.execute(insert_ignore(Tag, rows, ["name"]))
    found = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    return [found[name] for name in wanted if name in found]


def attach(status: Status, display_names: list[str]) -> list[Tag]:
    found = find_or_create(display_names)
    for tag in found:
        db.session.add(StatusTag(status_id=status.id, tag_id=tag.id))
        tag.last_status_at = status.created_at
    return found


def find(name: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.name == normalize_tag(name)))
