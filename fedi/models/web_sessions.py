"""Signed-in browsers: one row per web session, named by a random secret in the browser's signed
session cookie, of which only a digest is stored (fedi/services/sessions.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import UTCDateTime, created_at, snowflake_pk, utcnow


class WebSession(db.Model):
    __tablename__ = "web_sessions"

    id: Mapped[int] = snowflake_pk()
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the cookie's secret: a copy of the table cannot be replayed as a cookie.
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    address: Mapped[str] = mapped_column(String(64), default="")  # the client's, at last use
    created_at: Mapped[datetime] = created_at()
    last_used_at: Mapped[datetime] = mapped_column(  # indexed: idle sessions are pruned
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )
