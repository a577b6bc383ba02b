"""Media attachments: local uploads and remote references."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import JSONType, created_at, snowflake_pk, str_enum, updated_at


class MediaType(enum.StrEnum):
    IMAGE = "image"
    GIFV = "gifv"
    VIDEO = "video"
    AUDIO = "audio"
    UNKNOWN = "unknown"


class ProcessingState(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class MediaAttachment(db.Model):
    __tablename__ = "media_attachments"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), index=True
    )
    # Reserved for a scheduled status: attached to nothing else, attached to its post when it
    # is published.
    scheduled_status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("scheduled_statuses.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[MediaType] = mapped_column(str_enum(MediaType, 16), default=MediaType.UNKNOWN)
    position: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[str | None] = mapped_column(String(512))
    file_content_type: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer)
    thumbnail_path: Mapped[str | None] = mapped_column(String(512))
    # Files as uploaded, stored under server-generated names until a worker has processed them
    # (services/media_processing.py), then removed: the file, and a custom thumbnail.
    upload_path: Mapped[str | None] = mapped_column(String(512))
    thumbnail_upload_path: Mapped[str | None] = mapped_column(String(512))
    remote_url: Mapped[str | None] = mapped_column(String(2048))
    thumbnail_remote_url: Mapped[str | None] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    focus_x: Mapped[float | None] = mapped_column(Float)
    focus_y: Mapped[float | None] = mapped_column(Float)
    blurhash: Mapped[str | None] = mapped_column(String(255))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    processing: Mapped[ProcessingState] = mapped_column(
        str_enum(ProcessingState, 16), default=ProcessingState.PENDING
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
