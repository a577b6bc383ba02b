"""Custom emoji: `:shortcode:` images, local or copied from remote servers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import created_at, snowflake_pk, updated_at


class CustomEmoji(db.Model):
    """A `:shortcode:` image, local (`domain` None) or copied from a remote server."""

    __tablename__ = "custom_emojis"

    id: Mapped[int] = snowflake_pk()
    shortcode: Mapped[str] = mapped_column(String(128))
    domain: Mapped[str | None] = mapped_column(String(255))
    image_file: Mapped[str | None] = mapped_column(String(512))  # under MEDIA_ROOT
    static_file: Mapped[str | None] = mapped_column(String(512))  # non-animated copy
    image_remote_url: Mapped[str | None] = mapped_column(String(2048))
    uri: Mapped[str | None] = mapped_column(String(2048))
    category: Mapped[str | None] = mapped_column(String(255))
    visible_in_picker: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# One emoji per shortcode and domain (local ones have domain NULL).
Index(
    "ux_custom_emojis_shortcode_domain",
    CustomEmoji.shortcode,
    func.coalesce(CustomEmoji.domain, ""),
    unique=True,
)
