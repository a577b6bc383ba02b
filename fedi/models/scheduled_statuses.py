"""Scheduled statuses: a post kept with its parameters until its time, then published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk


class ScheduledStatus(db.Model):
    """What `POST /api/v1/statuses` was given with `scheduled_at`: Mastodon's `params` (the
    text, visibility, media ids, reply ... as the post will be made), published at
    `scheduled_at` by the queue; the row is deleted when it is published."""

    __tablename__ = "scheduled_statuses"
    __table_args__ = (
        # An `Idempotency-Key` retry answers with the same scheduled status.
        Index("ix_scheduled_statuses_account_id_idempotency_key", "account_id",
              "idempotency_key", unique=True),
    )  # fmt: skip

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Indexed: the periodic task reads the due rows.
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at()
