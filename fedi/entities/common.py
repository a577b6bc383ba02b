"""Formats shared by entities."""

from __future__ import annotations

from datetime import datetime


def iso(at: datetime | None) -> str | None:
    """Mastodon's timestamp format: `2019-12-08T03:48:33.901Z`."""
    if at is None:
        return None
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def date(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%d") if at else None
