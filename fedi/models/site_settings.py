"""Site settings written by the admins, each overriding one environment setting at run time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import JSONType, updated_at


class SiteSetting(db.Model):
    """`key` names a Settings attribute (INSTANCE_TITLE, REGISTRATIONS_MODE, ...)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    updated_at: Mapped[datetime] = updated_at()
