"""The Rule entity (server rules)."""

from __future__ import annotations

from typing import Any

from fedi.models import InstanceRule


def rule(row: InstanceRule) -> dict[str, Any]:
    return {"id": str(row.id), "text": row.text, "hint": row.hint or "", "translations": {}}
