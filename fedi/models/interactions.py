"""What an account does to a status: favourites, bookmarks, pins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import created_at, snowflake_pk
from fedi.models.statuses import Status


class _AccountStatus:
    """One row per (account, status); the row id orders the account's list of them."""

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            UniqueConstraint("account_id", "status_id"),
            Index(f"ix_{cls.__tablename__}_account_id_id", "account_id", "id"),
        )

    @declared_attr
    def account(cls) -> Mapped[Account]:
        return relationship()

    @declared_attr
    def status(cls) -> Mapped[Status]:
        return relationship()


class Favourite(_AccountStatus, db.Model):
    __tablename__ = "favourites"

    uri: Mapped[str | None] = mapped_column(String(2048))


class Bookmark(_AccountStatus, db.Model):
    __tablename__ = "bookmarks"


class StatusPin(_AccountStatus, db.Model):
    __tablename__ = "status_pins"
