"""The GroupedNotificationsResults entity (Mastodon 4.3): accounts and statuses at the root, each
rendered once, and NotificationGroup objects referring to them by id.

`most_recent_notification_id` is a string, as Mastodon documents it: our Snowflake ids exceed
JavaScript's safe integers, so a JSON number would lose precision in web clients.
"""

from __future__ import annotations

from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.admin_account import account_warning
from fedi.entities.common import iso
from fedi.entities.notification import STATUS_TYPES
from fedi.entities.status import page_entities, status
from fedi.models import Account, NotificationType
from fedi.services import custom_emojis
from fedi.services.notifications.groups import Group, GroupedPage

PARTIAL_FIELDS = ("id", "acct", "locked", "bot", "url", "avatar", "avatar_static")


def notification_group(group: Group) -> dict[str, Any]:
    row = group.notification
    body: dict[str, Any] = {
        "group_key": group.group_key,
        "notifications_count": group.notifications_count,
        "type": row.type.value,
        "most_recent_notification_id": str(group.most_recent_notification_id),
    }
    if group.page_min_id is not None:
        body["page_min_id"] = str(group.page_min_id)
        body["page_max_id"] = str(group.most_recent_notification_id)
        body["latest_page_notification_at"] = iso(group.latest_page_notification_at)
    body["sample_account_ids"] = [str(i) for i in group.sample_account_ids]
    if row.type in STATUS_TYPES:
        body["status_id"] = str(row.status_id) if row.status is not None else None
    if row.type == NotificationType.MODERATION_WARNING and row.account_warning is not None:
        body["moderation_warning"] = account_warning(row.account_warning, row.from_account)
    return body


def partial_account(row: Account) -> dict[str, Any]:
    full = account_entity(row)  # the partial fields name no emoji
    return {key: full[key] for key in PARTIAL_FIELDS}


def _account_ids(page: GroupedPage, partial: bool) -> tuple[list[int], list[int]]:
    """Accounts rendered in full, and (with partial avatars) those rendered partially: the newest
    sender of each group is always in full."""
    if not partial:
        full = dict.fromkeys(i for g in page.groups for i in g.sample_account_ids)
        return list(full), []
    full = dict.fromkeys(g.sample_account_ids[0] for g in page.groups if g.sample_account_ids)
    rest = dict.fromkeys(i for g in page.groups for i in g.sample_account_ids[1:] if i not in full)
    return list(full), list(rest)


def grouped_results(
    page: GroupedPage, viewer: Account, *, expand_accounts: str = "full"
) -> dict[str, Any]:
    partial = expand_accounts == "partial_avatars"
    full_ids, partial_ids = _account_ids(page, partial)
    targets = {}
    for group in page.groups:
        row = group.notification
        if row.type in STATUS_TYPES and row.status is not None:
            targets.setdefault(row.status.id, row.status)
    ctx = page_entities(viewer, list(targets.values()))
    shown = [page.accounts[i] for i in full_ids if i in page.accounts]
    emojis = custom_emojis.for_accounts(shown)
    body: dict[str, Any] = {
        "accounts": [account_entity(a, emojis=custom_emojis.of_account(a, emojis)) for a in shown]
    }
    if partial:
        body["partial_accounts"] = [
            partial_account(page.accounts[i]) for i in partial_ids if i in page.accounts
        ]
    body["statuses"] = [status(s, ctx) for s in targets.values()]
    body["notification_groups"] = [notification_group(g) for g in page.groups]
    return body
