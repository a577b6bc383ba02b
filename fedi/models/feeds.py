"""Home feeds (fan-out on write), lists and read markers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import created_at, snowflake_pk, str_enum, updated_at


class FeedEntry(db.Model):
    """A status in a local account's home feed, paged newest-first by (account_id, status_id)."""

    __tablename__ = "feed_entries"
    __table_args__ = (PrimaryKeyConstraint("account_id", "status_id"),)

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    # Whose status it is (unfollow removes these), and for a boost the boosted original.
    author_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    reblog_of_id: Mapped[int | None] = mapped_column(BigInteger)


Index("ix_feed_entries_account_id_author_id", FeedEntry.account_id, FeedEntry.author_id)
Index("ix_feed_entries_account_id_reblog_of_id", FeedEntry.account_id, FeedEntry.reblog_of_id)


class RepliesPolicy(enum.StrEnum):
    FOLLOWED = "followed"
    LIST = "list"
    NONE = "none"


class List(db.Model):
    __tablename__ = "lists"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    replies_policy: Mapped[RepliesPolicy] = mapped_column(
        str_enum(RepliesPolicy, 16), default=RepliesPolicy.LIST
    )
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()


class ListAccount(db.Model):
    __tablename__ = "list_accounts"
    __table_args__ = (PrimaryKeyConstraint("list_id", "account_id"),)

    list_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("lists.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


class Marker(db.Model):
    """Where a user stopped reading a timeline (`home` or `notifications`)."""

    __tablename__ = "markers"
    __table_args__ = (UniqueConstraint("account_id", "timeline"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    timeline: Mapped[str] = mapped_column(String(32))
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = updated_at()
