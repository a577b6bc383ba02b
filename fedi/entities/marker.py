"""The Marker entity, keyed by timeline name in the API's answers."""

from __future__ import annotations

from typing import Any

from fedi.entities.common import iso
from fedi.models import Marker


def marker(row: Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(row.last_read_id),
        "version": row.version,
        "updated_at": iso(row.updated_at),
    }


def markers(rows: dict[str, Marker]) -> dict[str, Any]:
    return {timeline: marker(row) for timeline, row in rows.items()}
