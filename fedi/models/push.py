"""Web Push subscriptions: one per OAuth token (client API), or one per browser endpoint for the
web UI (no token; deleted with the browser's session)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import JSONType, created_at, snowflake_pk, updated_at

ALERT_TYPES = (
    "mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
    "admin.sign_up", "admin.report",
)  # fmt: skip
POLICIES = ("all", "followed", "follower", "none")


class PushSubscription(db.Model):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("oauth_tokens.id", ondelete="CASCADE"), unique=True
    )
    web_session_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("web_sessions.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(Text)
    p256dh: Mapped[str] = mapped_column(String(255))
    auth: Mapped[str] = mapped_column(String(255))
    alerts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    policy: Mapped[str] = mapped_column(String(16), default="all")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    def wants(self, notification_type: str) -> bool:
        return bool((self.alerts or {}).get(notification_type))
