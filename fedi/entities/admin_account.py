"""Mastodon's Admin::Account entity (with its Role), and the AccountWarning entity that a
`moderation_warning` notification carries."""

from __future__ import annotations

from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.models import Account, AccountWarning, Role
from fedi.services.staff import PERMISSIONS, Permission

# Mastodon's UserRole permission bits, for the Role entity's `permissions` (a string).
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
    Permission.DELETE_USER_DATA: 1 << 19,
}
_ADMINISTRATOR, _INVITE_USERS = 1 << 0, 1 << 16
# Mastodon's default roles: everyone (-99), Moderator and Admin.
ROLE_IDS = {Role.USER: "-99", Role.MODERATOR: "1", Role.ADMIN: "2"}
ROLE_NAMES = {Role.USER: "", Role.MODERATOR: "Moderator", Role.ADMIN: "Admin"}


def role(value: Role) -> dict[str, Any]:
    bits = _INVITE_USERS | sum(_BITS.get(p, 0) for p in PERMISSIONS[value])
    if value == Role.ADMIN:
        bits |= _ADMINISTRATOR
    return {
        "id": ROLE_IDS[value],
        "name": ROLE_NAMES[value],
        "permissions": str(bits),
        "color": "",
        "highlighted": value != Role.USER,
    }


def roles_named(values: list[str]) -> list[Role]:
    """The roles whose Mastodon ids are in `values` (the v2 filter's `role_ids`)."""
    by_id = {v: k for k, v in ROLE_IDS.items()}
    return [by_id[str(v)] for v in values if str(v) in by_id]


def admin_account(row: Account) -> dict[str, Any]:
    user = row.user
    ip = user.sign_up_ip if user is not None else None
    body: dict[str, Any] = {
        "id": str(row.id),
        "username": row.username,
        "domain": row.domain,
        "created_at": iso(row.created_at),
        "email": user.email if user is not None else None,
        "ip": ip,
        "ips": [{"ip": ip, "used_at": iso(user.created_at)}] if ip else [],
        "locale": user.locale if user is not None else None,
        "invite_request": (user.sign_up_reason or None) if user is not None else None,
        "role": role(user.role) if user is not None else None,
        "confirmed": user is not None and user.confirmed_at is not None,
        "approved": user is not None and user.approved,
        "disabled": user is not None and user.disabled,
        "silenced": row.silenced_at is not None,
        "suspended": row.suspended_at is not None,
        "sensitized": row.sensitized_at is not None,
        "account": account_entity(row),
    }
    if user is not None and user.created_by_application_id is not None:
        body["created_by_application_id"] = str(user.created_by_application_id)
    return body


def account_warning(row: AccountWarning, target: Account) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "action": row.action.value,
        "text": row.text,
        "status_ids": [str(i) for i in row.status_ids or []],
        "target_account": account_entity(target),
        "appeal": None,
        "created_at": iso(row.created_at),
    }
