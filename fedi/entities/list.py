"""The List entity."""

from __future__ import annotations

from typing import Any

from fedi.models import List


def list_(row: List) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "replies_policy": row.replies_policy.value,
        "exclusive": bool(row.exclusive),
    }
