"""The server's rules, as the staff wrote them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import created_at, snowflake_pk, updated_at


class InstanceRule(db.Model):
    """A server rule, listed by `priority` (then age) on the about page and in the API."""

    __tablename__ = "instance_rules"

    id: Mapped[int] = snowflake_pk()
    text: Mapped[str] = mapped_column(Text, default="")
    hint: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
