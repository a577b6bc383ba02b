"""The audit log: every moderation and administration service records what it did here, in the
same transaction as the change (the caller commits), so an action and its entry land together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fedi.extensions import db
from fedi.models import Account
from fedi.models.audit_log import AuditLogEntry
from fedi.services.staff import Permission, require

PAGE = 50


def record(
    by: Account,
    action: str,
    target_type: str,
    target_id: int | None,
    label: str,
    **details: Any,
) -> AuditLogEntry:
    """Add an entry for `by` doing `action` to the target (not committed: the caller's
    transaction holds the change it describes)."""
    entry = AuditLogEntry(
        account_id=by.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=label[:512],
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class LogQuery:
    """Filters of the audit log page: the staff account, the action, the target."""

    account_id: int | None = None
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    max_id: int | None = None


def entries(q: LogQuery, *, by: Account, limit: int = PAGE) -> list[AuditLogEntry]:
    """Newest first, `limit` at most, below `max_id` when given."""
    require(by, Permission.VIEW_AUDIT_LOG)
    query = select(AuditLogEntry).options(joinedload(AuditLogEntry.account))
    if q.account_id is not None:
        query = query.where(AuditLogEntry.account_id == q.account_id)
    if q.action:
        query = query.where(AuditLogEntry.action == q.action)
    if q.target_type:
        query = query.where(AuditLogEntry.target_type == q.target_type)
    if q.target_id is not None:
        query = query.where(AuditLogEntry.target_id == q.target_id)
    if q.max_id is not None:
        query = query.where(AuditLogEntry.id < q.max_id)
    return list(db.session.scalars(query.order_by(AuditLogEntry.id.desc()).limit(limit)))


def actions() -> list[str]:
    """The actions recorded so far (the filter's choices)."""
    query = select(AuditLogEntry.action).distinct().order_by(AuditLogEntry.action)
    return list(db.session.scalars(query))


def staff_accounts() -> list[Account]:
    """The accounts that have entries (the filter's choices)."""
    ids = select(AuditLogEntry.account_id).distinct().where(AuditLogEntry.account_id.is_not(None))
    return list(db.session.scalars(select(Account).where(Account.id.in_(ids))))
