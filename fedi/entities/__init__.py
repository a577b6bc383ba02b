"""Mastodon entities: pure functions of preloaded rows, field names and types as Mastodon's."""

from fedi.entities.account import account
from fedi.entities.media import media_attachment
from fedi.entities.status import status, statuses

__all__ = ["account", "media_attachment", "status", "statuses"]
