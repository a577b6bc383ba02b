"""Mastodon's Admin::Account entity: an account as moderators see it (with its login's e-mail,
role and state), and the Role entity it names."""

from __future__ import annotations

from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.models import Account, Role
from fedi.services.staff import PERMISSIONS, Permission

# Mastodon's role permission bits (docs: entities/Role, "Permission flags").
_BITS = {
    Permission.VIEW_AUDIT_LOG: 1 << 2,
    Permission.VIEW_DASHBOARD: 1 << 3,
    Permission.MANAGE_REPORTS: 1 << 4,
    Permission.MANAGE_FEDERATION: 1 << 5,
    Permission.MANAGE_SETTINGS: 1 << 6,
    Permission.MANAGE_BLOCKS: 1 << 7,
    Permission.MANAGE_TAXONOMIES: 1 << 8,
    Permission.MANAGE_USERS: 1 << 10,
    Permission.MANAGE_RULES: 1 << 12,
    Permission.MANAGE_ANNOUNCEMENTS: 1 << 13,
    Permission.MANAGE_CUSTOM_EMOJIS: 1 << 14,
}
_ADMINISTRATOR = 1 << 0
_INVITE_USERS = 1 << 16  # what every role has
# Mastodon's ids for its seeded roles (-99 is "everyone").
_ROLES = {
    Role.USER: ("-99", "", False),
    Role.MODERATOR: ("1", "Moderator", True),
    Role.ADMIN: ("2", "Admin", True),
}


def role(value: Role) -> dict[str, Any]:
    role_id, name, highlighted = _ROLES[value]
    bits = _INVITE_USERS | sum(_BITS.get(p, 0) for p in PERMISSIONS[value])
    if value == Role.ADMIN:
        bits |= _ADMINISTRATOR
    return {
        "id": role_id, "name": name, "permissions": str(bits), "color": "",
        "highlighted": highlighted,
    }  # fmt: skip


def admin_account(row: Account) -> dict[str, Any]:
    """`row` with its `user` loaded (None for remote accounts)."""
    user = row.user
    body: dict[str, Any] = {
        "id": str(row.id),
        "username": row.username,
        "domain": row.domain,
        "created_at": iso(row.created_at),
        "email": user.email if user else None,
        "ip": None,  # sign-up and sign-in addresses are not kept
        "ips": [],
        "locale": user.locale if user else None,
        "invite_request": (user.sign_up_reason or None) if user else None,
        "role": role(user.role if user else Role.USER),
        "confirmed": bool(user and user.confirmed_at is not None),
        "approved": bool(user and user.approved),
        "disabled": bool(user and user.disabled),
        "silenced": row.silenced_at is not None,
        "suspended": row.suspended_at is not None,
        "sensitized": getattr(row, "sensitized_at", None) is not None,
        "account": account_entity(row),
    }
    if user is not None and user.created_by_application_id is not None:
        body["created_by_application_id"] = str(user.created_by_application_id)
    return body
