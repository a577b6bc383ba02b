"""Notifications: one row per recipient and event."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import created_at, snowflake_pk, str_enum
from fedi.models.moderation import AccountWarning
from fedi.models.reports import Report
from fedi.models.statuses import Status


class NotificationType(enum.StrEnum):
    MENTION = "mention"
    STATUS = "status"
    REBLOG = "reblog"
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    FAVOURITE = "favourite"
    POLL = "poll"
    UPDATE = "update"
    ADMIN_SIGN_UP = "admin.sign_up"
    ADMIN_REPORT = "admin.report"
    MODERATION_WARNING = "moderation_warning"


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    from_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[NotificationType] = mapped_column(str_enum(NotificationType, 32))
    status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    # admin.report: the report it is about.
    report_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    # moderation_warning: the warning it is about (models/moderation.py).
    account_warning_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("account_warnings.id", ondelete="CASCADE"), index=True
    )
    group_key: Mapped[str | None] = mapped_column(String(255))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id])
    status: Mapped[Status | None] = relationship()
    report: Mapped[Report | None] = relationship()
    account_warning: Mapped[AccountWarning | None] = relationship()


Index("ix_notifications_account_id_id", Notification.account_id, Notification.id.desc())
Index(
    "ix_notifications_account_id_type_id",
    Notification.account_id,
    Notification.type,
    Notification.id.desc(),
)
# Grouped notifications: a group's count, newest ids and sample senders (v2 API).
Index(
    "ix_notifications_account_id_group_key_id",
    Notification.account_id,
    Notification.group_key,
    Notification.id,
)
