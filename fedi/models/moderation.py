"""What moderators keep about an account: the warnings (strikes) it was sent, as Mastodon's
`account_warnings`, and their notes on it, as Mastodon's `account_moderation_notes`."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import JSONType, created_at, snowflake_pk, str_enum
from fedi.models.reports import Report


class WarningAction(enum.StrEnum):
    """Mastodon's AccountWarning actions (the account actions, as the user is told of them)."""

    NONE = "none"
    DISABLE = "disable"
    MARK_STATUSES_AS_SENSITIVE = "mark_statuses_as_sensitive"
    DELETE_STATUSES = "delete_statuses"
    SENSITIVE = "sensitive"
    SILENCE = "silence"
    SUSPEND = "suspend"


class AccountWarning(db.Model):
    """`account_id` (a moderator) took `action` against `target_account_id`, saying `text`,
    about `status_ids`, from `report_id` when a report led to it."""

    __tablename__ = "account_warnings"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    target_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    action: Mapped[WarningAction] = mapped_column(str_enum(WarningAction, 32))
    text: Mapped[str] = mapped_column(Text, default="")
    status_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    report_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at()

    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    target_account: Mapped[Account] = relationship(foreign_keys=[target_account_id])
    report: Mapped[Report | None] = relationship()


Index(
    "ix_account_warnings_target_account_id_id",
    AccountWarning.target_account_id,
    AccountWarning.id,
)


class AccountModerationNote(db.Model):
    """A note a moderator (`account_id`) left on `target_account_id`, seen by staff only."""

    __tablename__ = "account_moderation_notes"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    target_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()

    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
