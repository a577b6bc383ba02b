"""Announcements from the staff, and what each user did with them: dismissals and reactions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import UTCDateTime, account_fk, created_at, snowflake_pk, updated_at


class Announcement(db.Model):
    """A notice from the staff shown to every local user until it ends or they dismiss it."""

    __tablename__ = "announcements"

    id: Mapped[int] = snowflake_pk()
    text: Mapped[str] = mapped_column(Text, default="")  # HTML
    source: Mapped[str] = mapped_column(
        Text, default="", server_default=""
    )  # as the staff wrote it
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A draft to publish at this time (the periodic task publishes it); None: published by hand.
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class AnnouncementDismissal(db.Model):
    __tablename__ = "announcement_dismissals"
    __table_args__ = (UniqueConstraint("account_id", "announcement_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = account_fk()
    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


class AnnouncementReaction(db.Model):
    """An emoji reaction (unicode, or a local custom emoji's shortcode) to an announcement."""

    __tablename__ = "announcement_reactions"
    __table_args__ = (UniqueConstraint("account_id", "announcement_id", "name"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = account_fk()
    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    custom_emoji_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("custom_emojis.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()
