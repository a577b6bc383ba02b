"""The durable federation ledgers: outbound activities and their deliveries, inbound items."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, str_enum


class OutboxActivity(db.Model):
    """An activity we sent: its JSON is kept so deliveries can be retried for days."""

    __tablename__ = "outbox_activities"

    id: Mapped[int] = snowflake_pk()
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status_id: Mapped[int | None] = mapped_column(  # deleting the status cancels deliveries
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = created_at()


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: a permanent error or out of attempts
    CANCELLED = "cancelled"
    QUEUED = "queued"  # behind an older delivery to the same inbox (its backlog): sent after it


class Delivery(db.Model):
    """One (activity, inbox) pair with its retry state.

    `backlog`: the row is in its inbox's backlog, the line of deliveries that go out in order
    (it failed as if the inbox were unreachable, was held for an unavailable domain, deferred,
    or queued behind such a row): newer rows to the same inbox wait behind it, `QUEUED`."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("activity_id", "inbox_url"),)

    id: Mapped[int] = snowflake_pk()
    activity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("outbox_activities.id", ondelete="CASCADE")
    )
    inbox_url: Mapped[str] = mapped_column(String(2048))
    domain: Mapped[str] = mapped_column(String(255), index=True)
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, 16), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    backlog: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = created_at()

    activity: Mapped[OutboxActivity] = relationship()


Index("ix_deliveries_state_next_attempt_at", Delivery.state, Delivery.next_attempt_at)
# The backlogs, by inbox, oldest first (a partial index: rows leave it once sent or given up).
Index(
    "ix_deliveries_backlog",
    Delivery.inbox_url,
    Delivery.state,
    Delivery.id,
    postgresql_where=text("backlog"),
    sqlite_where=text("backlog = 1"),
)


class DeliveryAttempt(db.Model):
    """The log of every try of a delivery."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = snowflake_pk()
    delivery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at()


class DomainHealth(db.Model):
    """Per-domain delivery failures; a domain failing for days is paused until it answers."""

    __tablename__ = "domain_health"

    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    failure_days: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False)


class InboxState(enum.StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class InboxItem(db.Model):
    """A verified inbound activity, stored before it is processed (idempotent on its id)."""

    __tablename__ = "inbox_items"

    id: Mapped[int] = snowflake_pk()
    activity_uri: Mapped[str] = mapped_column(String(2048), unique=True)
    activity_type: Mapped[str] = mapped_column(String(64))
    actor_uri: Mapped[str] = mapped_column(String(2048), index=True)
    recipient_account_id: Mapped[int | None] = mapped_column(  # None: the shared inbox
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[InboxState] = mapped_column(str_enum(InboxState, 16), default=InboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()


Index("ix_inbox_items_state_created_at", InboxItem.state, InboxItem.created_at)
