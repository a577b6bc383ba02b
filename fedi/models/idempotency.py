"""Idempotency keys: a retried `POST /api/v1/statuses` returns the status the first try made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import UTCDateTime, snowflake_pk, utcnow


class IdempotencyKey(db.Model):
    """The `Idempotency-Key` header an account sent with a post, and the status it made."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(255))
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    # Indexed: expired keys are pruned by age.
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )
