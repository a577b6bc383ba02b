"""What an account keeps about its profile and about others: private notes on accounts,
endorsed (pinned) accounts and featured hashtags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.base import created_at, snowflake_pk, updated_at
from fedi.models.relations import _AccountPair
from fedi.models.tags import Tag


class AccountNote(_AccountPair, db.Model):
    """A private comment `account_id` keeps about `target_account_id` (one per pair)."""

    __tablename__ = "account_notes"

    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = updated_at()


class AccountPin(_AccountPair, db.Model):
    """An endorsement: `account_id` features `target_account_id` on its profile."""

    __tablename__ = "account_pins"


class FeaturedTag(db.Model):
    """A hashtag an account features on its profile; `name` keeps the casing it was typed in."""

    __tablename__ = "featured_tags"
    __table_args__ = (UniqueConstraint("account_id", "tag_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    tag_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at()

    tag: Mapped[Tag] = relationship()
