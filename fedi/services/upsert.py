"""INSERT ... ON CONFLICT DO NOTHING on both databases: the one place that picks the dialect."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

from fedi.extensions import db
from fedi.ids import new_id


def insert_ignore(model: Any, rows: list[dict[str, Any]], conflict: list[str] | None = None):
    """A bulk insert that skips rows clashing with a unique key. Snowflake ids are filled in."""
    table = model.__table__
    if "id" in table.c and table.c.id.primary_key:
        rows = [{"id": new_id(), **row} for row in rows]
    return insert_ignore_statement(model, conflict).values(rows)


def insert_ignore_statement(
    model: Any, conflict: Sequence[str] | None = None, *, returning: str | None = None
) -> Insert:
    """The statement without values, to execute with bound rows (one row, or a list for an
    executemany): built once per dialect, so its compiled form is cached. `returning` names a
    column to return (nothing comes back for a skipped row). The caller fills in ids."""
    dialect = db.session.get_bind().dialect.name
    return _statement(dialect, model.__table__, tuple(conflict or ()) or None, returning)


@functools.cache
def _statement(
    dialect: str, table: Table, conflict: tuple[str, ...] | None, returning: str | None
) -> Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing(index_elements=conflict)
    return statement.returning(table.c[returning]) if returning else statement
