"""The CredentialAccount entity (an account as its owner sees it, with `source` and `role`) and
the Token entity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.account import account
from fedi.models import Account, CustomEmoji, OAuthToken, Role, User
from fedi.services import profiles

# Mastodon's permission bits (UserRole::FLAGS): every user may invite (1 << 16); moderators get
# the moderation set; our admins hold every permission.
_INVITE = 1 << 16
_MODERATION = sum(1 << bit for bit in (2, 3, 4, 5, 7, 8, 9, 10, 11, 18, 19))
_ALL = (1 << 20) - 1
ROLES: dict[Role, dict[str, Any]] = {
    Role.USER: {"id": "-99", "name": "", "permissions": str(_INVITE), "color": "",
                "highlighted": False},
    Role.MODERATOR: {"id": "1", "name": "Moderator", "permissions": str(_INVITE | _MODERATION),
                     "color": "", "highlighted": True},
    Role.ADMIN: {"id": "2", "name": "Admin", "permissions": str(_ALL), "color": "",
                 "highlighted": True},
}  # fmt: skip


def role(user: User | None) -> dict[str, Any]:
    return dict(ROLES[user.role if user is not None else Role.USER])


def credential_account(
    row: Account,
    *,
    follow_requests_count: int,
    moved: Account | None = None,
    emojis: Sequence[CustomEmoji] = (),
) -> dict[str, Any]:
    settings = profiles.user_settings(row.user)
    body = account(row, moved=moved, emojis=emojis)
    body["source"] = {
        "privacy": settings["default_privacy"],
        "sensitive": bool(settings["default_sensitive"]),
        "language": settings["default_language"],
        "note": row.note_source or "",
        "fields": [
            {
                "name": f.get("name", ""),
                "value": f.get("source", f.get("value", "")),
                "verified_at": f.get("verified_at"),
            }
            for f in (row.fields or [])
        ],
        "follow_requests_count": follow_requests_count,
        "hide_collections": row.hide_collections,
        "discoverable": row.discoverable,
        "indexable": row.indexable,
        "attribution_domains": [],
    }
    body["role"] = role(row.user)
    return body


def token(row: OAuthToken) -> dict[str, Any]:
    """What POST /oauth/token and POST /api/v1/accounts answer."""
    return {
        "access_token": row.access_token,
        "token_type": "Bearer",
        "scope": row.scopes,
        "created_at": int(row.created_at.timestamp()),
    }
