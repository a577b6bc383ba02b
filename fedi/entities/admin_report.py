"""Mastodon's Admin::Report entity: a report as moderators see it, with the Admin::Account of
everyone it names, the reported statuses and the rules broken."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.admin_account import admin_account
from fedi.entities.common import iso
from fedi.entities.rule import rule
from fedi.entities.status import statuses as status_entities
from fedi.models import Account, Report
from fedi.services import report_moderation


def admin_reports(rows: Sequence[Report], viewer: Account) -> list[dict[str, Any]]:
    """A page of reports: their statuses and rules loaded and rendered once for the page."""
    found = report_moderation.statuses_of(rows)
    ordered = sorted(found.values(), key=lambda s: s.id)
    rendered = dict(zip([s.id for s in ordered], status_entities(ordered, viewer), strict=True))
    rules = report_moderation.rules_of(rows)
    return [_report(r, rendered, rules) for r in rows]


def _maybe(row: Account | None) -> dict[str, Any] | None:
    return admin_account(row) if row is not None else None


def _report(row: Report, rendered: dict[int, dict], rules: dict) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "action_taken": row.action_taken,
        "action_taken_at": iso(row.action_taken_at),
        "category": row.category.value,
        "comment": row.comment,
        "forwarded": row.forwarded,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "account": admin_account(row.account),
        "target_account": admin_account(row.target_account),
        "assigned_account": _maybe(row.assigned_account),
        "action_taken_by_account": _maybe(row.action_taken_by_account),
        "statuses": [rendered[i] for i in row.status_ids or [] if i in rendered],
        "rules": [rule(rules[i]) for i in row.rule_ids or [] if i in rules],
    }
