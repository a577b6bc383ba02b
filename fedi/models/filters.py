"""Filters: an account's rules for hiding or warning about statuses (Mastodon's custom filters),
each with keywords and individual statuses."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, str_enum, updated_at

CONTEXTS = ("home", "notifications", "public", "thread", "account")


class FilterAction(enum.StrEnum):
    WARN = "warn"
    HIDE = "hide"


class Filter(db.Model):
    __tablename__ = "filters"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(256))
    context: Mapped[list[str]] = mapped_column(JSONType, default=list)  # some of CONTEXTS
    action: Mapped[FilterAction] = mapped_column(
        str_enum(FilterAction, 8), default=FilterAction.WARN
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    keywords: Mapped[list[FilterKeyword]] = relationship(
        back_populates="filter", cascade="all, delete-orphan", order_by="FilterKeyword.id"
    )
    statuses: Mapped[list[FilterStatus]] = relationship(
        back_populates="filter", cascade="all, delete-orphan", order_by="FilterStatus.id"
    )


class FilterKeyword(db.Model):
    __tablename__ = "filter_keywords"

    id: Mapped[int] = snowflake_pk()
    filter_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("filters.id", ondelete="CASCADE"), index=True
    )
    keyword: Mapped[str] = mapped_column(String(512))
    whole_word: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at()

    filter: Mapped[Filter] = relationship(back_populates="keywords")


class FilterStatus(db.Model):
    __tablename__ = "filter_statuses"
    __table_args__ = (UniqueConstraint("filter_id", "status_id"),)

    id: Mapped[int] = snowflake_pk()
    filter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("filters.id", ondelete="CASCADE"))
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()

    filter: Mapped[Filter] = relationship(back_populates="statuses")
