"""The audit log: one row per moderator or admin action, as Mastodon's `admin_action_logs`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import JSONType, created_at, snowflake_pk


class AuditLogEntry(db.Model):
    """`account_id` did `action` (a verb such as "suspend", "resolve", "create") to a target of
    `target_type` ("Account", "Report", "DomainBlock", ...) with id `target_id`. `target_label`
    keeps a readable name (a handle, a domain) so the entry still reads after the target is gone;
    `details` holds what else the action was given (a warning's text, a severity)."""

    __tablename__ = "audit_log_entries"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(BigInteger)
    target_label: Mapped[str] = mapped_column(String(512), default="")
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = created_at()

    account: Mapped[Account | None] = relationship()


Index("ix_audit_log_entries_target", AuditLogEntry.target_type, AuditLogEntry.target_id)
Index("ix_audit_log_entries_action", AuditLogEntry.action)
