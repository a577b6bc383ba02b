"""Who on the staff may do what: Mastodon's role permissions, for the two roles this server has.
Moderators moderate (reports, accounts, trends, sign-ups, the dashboard and the audit log);
admins also delete a suspended account's data before its retention ends and configure the
server (federation, sign-up blocks, rules, announcements, custom emoji, settings). Every admin
page, admin API endpoint and moderation service checks here."""

from __future__ import annotations

import enum

from fedi.errors import Forbidden
from fedi.models import Account, Role


class Permission(enum.StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_USERS = "manage_users"
    DELETE_USER_DATA = "delete_user_data"
    MANAGE_REPORTS = "manage_reports"
    MANAGE_TAXONOMIES = "manage_taxonomies"
    MANAGE_FEDERATION = "manage_federation"
    MANAGE_BLOCKS = "manage_blocks"
    MANAGE_RULES = "manage_rules"
    MANAGE_ANNOUNCEMENTS = "manage_announcements"
    MANAGE_CUSTOM_EMOJIS = "manage_custom_emojis"
    MANAGE_SETTINGS = "manage_settings"


_MODERATOR = frozenset(
    {
        Permission.VIEW_DASHBOARD,
        Permission.VIEW_AUDIT_LOG,
        Permission.MANAGE_USERS,
        Permission.MANAGE_REPORTS,
        Permission.MANAGE_TAXONOMIES,
    }
)
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.USER: frozenset(),
    Role.MODERATOR: _MODERATOR,
    Role.ADMIN: frozenset(Permission),
}


def permissions(account: Account | None) -> frozenset[Permission]:
    """What the account may do as staff (nothing for a remote or ordinary account)."""
    if account is None or account.user is None or account.suspended_at is not None:
        return frozenset()
    if account.user.disabled:
        return frozenset()
    return PERMISSIONS[account.user.role]


def can(account: Account | None, permission: Permission) -> bool:
    return permission in permissions(account)


def require(account: Account | None, permission: Permission) -> Account:
    """The account, when it holds the permission; else Mastodon's 403."""
    if account is None or not can(account, permission):
        raise Forbidden("This action is not allowed")
    return account
