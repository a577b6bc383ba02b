"""Preview cards (Mastodon's PreviewCard): what a link in a post shows, fetched once per URL
and shared by every status that links there (one card per status, Mastodon's
preview_cards_statuses)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import UTCDateTime, created_at, snowflake_pk, str_enum, updated_at

URL_LIMIT = 2048  # characters: longer links get no card (the unique index stays small)


class CardType(enum.StrEnum):
    LINK = "link"
    PHOTO = "photo"
    VIDEO = "video"
    RICH = "rich"


class PreviewCard(db.Model):
    """One fetched URL. `fetched_at` is set once a card was made from it; `failed_at` and
    `failures` tell of the last attempts that made none (see services/preview_cards.py)."""

    __tablename__ = "preview_cards"

    id: Mapped[int] = snowflake_pk()
    url: Mapped[str] = mapped_column(String(URL_LIMIT), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[CardType] = mapped_column(str_enum(CardType, 16), default=CardType.LINK)
    author_name: Mapped[str] = mapped_column(Text, default="")
    author_url: Mapped[str] = mapped_column(Text, default="")
    provider_name: Mapped[str] = mapped_column(Text, default="")
    provider_url: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")  # a sanitised https <iframe>, or ""
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    image_path: Mapped[str | None] = mapped_column(String(512))  # in services/media_store.py
    image_remote_url: Mapped[str | None] = mapped_column(Text)
    image_description: Mapped[str] = mapped_column(Text, default="")
    blurhash: Mapped[str | None] = mapped_column(String(255))
    embed_url: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reviewed for trends by a moderator: True approved, False rejected, None not reviewed.
    trendable: Mapped[bool | None] = mapped_column(Boolean)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class PreviewCardStatus(db.Model):
    """The card a status shows (at most one), and the link in the post it came from."""

    __tablename__ = "preview_cards_statuses"

    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    )
    preview_card_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("preview_cards.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(URL_LIMIT))


# Trending links count a card's statuses of the last days: one range of this index per card.
Index(
    "ix_preview_cards_statuses_card_status",
    PreviewCardStatus.preview_card_id,
    PreviewCardStatus.status_id,
)
