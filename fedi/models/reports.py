"""Reports: an account (local, or remote through a Flag) reports an account to the moderators,
optionally with some of its statuses, a comment, a category and the server rules broken."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, str_enum, updated_at


class ReportCategory(enum.StrEnum):
    """Mastodon's report categories."""

    SPAM = "spam"
    LEGAL = "legal"
    VIOLATION = "violation"
    OTHER = "other"


class Report(db.Model):
    """`account_id` reports `target_account_id`. `status_ids` and `rule_ids` are id lists (the
    statuses may be deleted later: a report keeps what it was about). `uri` is the Flag's id for
    reports that came from another server; `forwarded` says ours was sent to the target's
    server. Moderation fills `action_taken_*` and `assigned_account_id`."""

    __tablename__ = "reports"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    target_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    rule_ids: Mapped[list[int] | None] = mapped_column(JSONType)
    comment: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[ReportCategory] = mapped_column(
        str_enum(ReportCategory, 16), default=ReportCategory.OTHER
    )
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    uri: Mapped[str | None] = mapped_column(String(2048))
    action_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    action_taken_by_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    assigned_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    target_account: Mapped[Account] = relationship(foreign_keys=[target_account_id])
    assigned_account: Mapped[Account | None] = relationship(foreign_keys=[assigned_account_id])
    action_taken_by_account: Mapped[Account | None] = relationship(
        foreign_keys=[action_taken_by_account_id]
    )

    @property
    def action_taken(self) -> bool:
        return self.action_taken_at is not None


# One report per Flag and reported account: a redelivered Flag changes nothing.
Index("ux_reports_uri_target_account_id", Report.uri, Report.target_account_id, unique=True)


class ReportNote(db.Model):
    """A moderator's internal note on a report (Mastodon's `report_notes`); never shown to the
    reporter or the reported account."""

    __tablename__ = "report_notes"

    id: Mapped[int] = snowflake_pk()
    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    account: Mapped[Account] = relationship()
