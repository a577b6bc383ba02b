"""Statuses (local and remote), their edits and mentions."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, str_enum


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"
    DIRECT = "direct"


class Status(db.Model):
    __tablename__ = "statuses"

    id: Mapped[int] = snowflake_pk()
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(Text, default="")  # source as typed (local)
    content: Mapped[str] = mapped_column(Text, default="")  # safe HTML
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, 16), default=Visibility.PUBLIC
    )
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reviewed for trends by a moderator: True approved, False rejected, None not reviewed.
    trendable: Mapped[bool | None] = mapped_column(Boolean)
    language: Mapped[str | None] = mapped_column(String(16))
    in_reply_to_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), index=True
    )
    in_reply_to_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    in_reply_to_uri: Mapped[str | None] = mapped_column(String(2048))  # parent not fetched yet
    reblog_of_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("oauth_applications.id", ondelete="SET NULL"), index=True
    )
    local: Mapped[bool] = mapped_column(Boolean, default=True)
    replies_count: Mapped[int] = mapped_column(Integer, default=0)
    reblogs_count: Mapped[int] = mapped_column(Integer, default=0)
    favourites_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at()  # `published` for remote statuses
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    reblog: Mapped[Status | None] = relationship(remote_side=[id], foreign_keys=[reblog_of_id])
    in_reply_to_account: Mapped[Account | None] = relationship(
        foreign_keys=[in_reply_to_account_id]
    )

    @property
    def is_reblog(self) -> bool:
        return self.reblog_of_id is not None

    def __repr__(self) -> str:
        return f"<Status {self.id} by {self.account_id}>"


_LIVE = "deleted_at IS NULL"
_PUBLIC = "visibility = 'public' AND reblog_of_id IS NULL AND deleted_at IS NULL"

Index("ix_statuses_account_id_id", Status.account_id, Status.id.desc())
# Public timelines: newest public originals, all and local only.
Index(
    "ix_statuses_public",
    Status.id.desc(),
    postgresql_where=text(_PUBLIC),
    sqlite_where=text(_PUBLIC),
)
Index(
    "ix_statuses_public_local",
    Status.id.desc(),
    postgresql_where=text(f"{_PUBLIC} AND local"),
    sqlite_where=text(f"{_PUBLIC} AND local"),
)
# One live boost per account and status.
Index(
    "ux_statuses_account_reblog",
    Status.account_id,
    Status.reblog_of_id,
    unique=True,
    postgresql_where=text(f"reblog_of_id IS NOT NULL AND {_LIVE}"),
    sqlite_where=text(f"reblog_of_id IS NOT NULL AND {_LIVE}"),
)


class StatusEdit(db.Model):
    """One earlier (or the current) revision of an edited status."""

    __tablename__ = "status_edits"

    id: Mapped[int] = snowflake_pk()
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    poll_options: Mapped[list[str] | None] = mapped_column(JSONType)  # the poll's, if it had one
    created_at: Mapped[datetime] = created_at()


class Mention(db.Model):
    __tablename__ = "mentions"
    __table_args__ = (UniqueConstraint("status_id", "account_id"),)

    id: Mapped[int] = snowflake_pk()
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    silent: Mapped[bool] = mapped_column(Boolean, default=False)

    account: Mapped[Account] = relationship()
