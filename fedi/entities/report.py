"""The Report entity (what the reporter sees of their report)."""

from __future__ import annotations

from typing import Any

from fedi.entities.account import account
from fedi.entities.common import iso
from fedi.models import Report


def report(row: Report) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "action_taken": row.action_taken,
        "action_taken_at": iso(row.action_taken_at),
        "category": row.category.value,
        "comment": row.comment,
        "forwarded": row.forwarded,
        "created_at": iso(row.created_at),
        "status_ids": [str(i) for i in row.status_ids or []],
        "rule_ids": [str(i) for i in row.rule_ids] if row.rule_ids is not None else None,
        "target_account": account(row.target_account),
    }
