"""Formats shared by entities."""

from __future__ import annotations

from datetime import datetime

from flask import current_app


def iso(at: datetime | None) -> str | None:
    """Mastodon's timestamp format: `2019-12-08T03:48:33.901Z`."""
    if at is None:
        return None
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def date(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%d") if at else None


def media_url(path: str | None, remote: str | None, fallback: str | None = None) -> str | None:
    base = current_app.config["FEDI"].base_url
    if path:
        return f"{base}/media/{path}"
    if remote:
        return remote
    return f"{base}{fallback}" if fallback else None
