"""Mastodon entities: pure functions of preloaded rows, field names and types as Mastodon's."""

from fedi.api.entities.account import account

__all__ = ["account"]
