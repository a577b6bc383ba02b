"""The Notification entity, for a page of notifications with a fixed number of queries.

`render(rows, viewer)` is the entry point for any caller (REST API, streaming): it preloads
what the rows lack (senders, statuses) in batch, loads what the embedded statuses show in one
`status_pages.load`, then serializes each row as a pure function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.admin_account import account_warning
from fedi.entities.common import iso
from fedi.entities.report import report
from fedi.entities.status import StatusEntities, page_entities, status
from fedi.models import Account, Notification, NotificationType
from fedi.services import custom_emojis, notifications
from fedi.services.custom_emojis import EmojiMap

# Mastodon attaches `status` to these types (null when the status is gone).
STATUS_TYPES = frozenset(
    {
        NotificationType.MENTION,
        NotificationType.STATUS,
        NotificationType.REBLOG,
        NotificationType.FAVOURITE,
        NotificationType.POLL,
        NotificationType.UPDATE,
    }
)


def group_key(row: Notification) -> str:
    return row.group_key or f"ungrouped-{row.id}"


def notification(
    row: Notification, ctx: StatusEntities, emojis: EmojiMap | None = None
) -> dict[str, Any]:
    """`emojis`: the custom emoji of the page's senders (`custom_emojis.for_accounts`)."""
    sender = row.from_account
    body: dict[str, Any] = {
        "id": str(row.id),
        "type": row.type.value,
        "created_at": iso(row.created_at),
        "group_key": group_key(row),
        "account": account_entity(sender, emojis=custom_emojis.of_account(sender, emojis or {})),
    }
    if row.type in STATUS_TYPES:
        body["status"] = status(row.status, ctx) if row.status is not None else None
    if row.type == NotificationType.ADMIN_REPORT and row.report is not None:
        body["report"] = report(row.report)
    if row.type == NotificationType.MODERATION_WARNING and row.account_warning is not None:
        body["moderation_warning"] = account_warning(row.account_warning, row.from_account)
    return body


def target_statuses(rows: Sequence[Notification]) -> list:
    """The distinct statuses the rows are about, in order of first appearance."""
    seen: dict[int, Any] = {}
    for row in rows:
        if row.type in STATUS_TYPES and row.status is not None:
            seen.setdefault(row.status.id, row.status)
    return list(seen.values())


def render(rows: Sequence[Notification], viewer: Account) -> list[dict[str, Any]]:
    """Notification entities for `rows` (all addressed to `viewer`)."""
    notifications.preload(rows)
    ctx = page_entities(viewer, target_statuses(rows))
    emojis = custom_emojis.for_accounts(
        list({r.from_account.id: r.from_account for r in rows}.values())
    )
    return [notification(r, ctx, emojis) for r in rows]


def one(row: Notification, viewer: Account) -> dict[str, Any]:
    return render([row], viewer)[0]
