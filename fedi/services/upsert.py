"""INSERT ... ON CONFLICT DO NOTHING on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from fedi.extensions import db
from fedi.ids import new_id


def insert_ignore(model: Any, rows: list[dict[str, Any]], conflict: list[str] | None = None):
    """A bulk insert that skips rows clashing with a unique key. Snowflake ids are filled in."""
    table = model.__table__
    if "id" in table.c and table.c.id.primary_key:
        rows = [{"id": new_id(), **row} for row in rows]
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).values(rows).on_conflict_do_nothing(index_elements=conflict)
