"""Hashtags: the tags themselves, which statuses carry them and who follows them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import UTCDateTime, account_fk, created_at, snowflake_pk


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = snowflake_pk()
    name: Mapped[str] = mapped_column(String(255), unique=True)  # normalised (NFKC, casefold)
    display_name: Mapped[str] = mapped_column(String(255))
    usable: Mapped[bool] = mapped_column(Boolean, default=True)
    listable: Mapped[bool] = mapped_column(Boolean, default=True)
    trendable: Mapped[bool] = mapped_column(Boolean, default=True)  # False: rejected from trends
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # by a moderator
    last_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()


class StatusTag(db.Model):
    __tablename__ = "status_tags"
    __table_args__ = (PrimaryKeyConstraint("status_id", "tag_id"),)

    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    tag_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tags.id", ondelete="CASCADE"))


Index("ix_status_tags_tag_id_status_id", StatusTag.tag_id, StatusTag.status_id.desc())


class TagFollow(db.Model):
    """A local account following a hashtag: its public posts reach that account's home feed."""

    __tablename__ = "tag_follows"
    __table_args__ = (UniqueConstraint("account_id", "tag_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = account_fk()
    tag_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


Index("ix_tag_follows_account_id_id", TagFollow.account_id, TagFollow.id)
