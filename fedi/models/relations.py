"""Relationships between accounts: follows, follow requests, blocks, mutes, domain blocks and
dismissed suggestions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk


class _AccountPair:
    """`account_id` acts on `target_account_id`; one row per pair."""

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    target_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("account_id", "target_account_id"),)

    @declared_attr
    def account(cls) -> Mapped[Account]:
        return relationship(foreign_keys=[cls.account_id])

    @declared_attr
    def target_account(cls) -> Mapped[Account]:
        return relationship(foreign_keys=[cls.target_account_id])


class Follow(_AccountPair, db.Model):
    __tablename__ = "follows"

    uri: Mapped[str | None] = mapped_column(String(2048))
    show_reblogs: Mapped[bool] = mapped_column(Boolean, default=True)
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str] | None] = mapped_column(JSONType)


class FollowRequest(_AccountPair, db.Model):
    """A pending follow of a locked (or remote, until Accept arrives) account."""

    __tablename__ = "follow_requests"

    uri: Mapped[str | None] = mapped_column(String(2048))
    show_reblogs: Mapped[bool] = mapped_column(Boolean, default=True)
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str] | None] = mapped_column(JSONType)


class Block(_AccountPair, db.Model):
    __tablename__ = "blocks"

    uri: Mapped[str | None] = mapped_column(String(2048))


class Mute(_AccountPair, db.Model):
    __tablename__ = "mutes"

    hide_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class SuggestionDismissal(_AccountPair, db.Model):
    """An account the user asked not to be suggested again."""

    __tablename__ = "suggestion_dismissals"


class AccountDomainBlock(db.Model):
    """A user hiding a whole remote domain from themselves."""

    __tablename__ = "account_domain_blocks"
    __table_args__ = (UniqueConstraint("account_id", "domain"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    domain: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at()
