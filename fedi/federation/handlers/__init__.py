"""Inbound activity handlers, one module per type, registered explicitly. A handler returns
True when the activity changed something and False when it was ignored; unknown types are
recorded and ignored."""

from __future__ import annotations

from collections.abc import Callable

from fedi.extensions import db
from fedi.federation import resolve
from fedi.federation.handlers import (
    accept,
    announce,
    block,
    create,
    delete,
    flag,
    follow,
    like,
    move,
    reject,
    undo,
    update,
)
from fedi.federation.handlers.context import Inbound, log
from fedi.models import Account, InboxItem

HANDLERS: dict[str, Callable[[Inbound], bool]] = {
    "Follow": follow.handle,
    "Accept": accept.handle,
    "Reject": reject.handle,
    "Undo": undo.handle,
    "Create": create.handle,
    "Update": update.handle,
    "Delete": delete.handle,
    "Announce": announce.handle,
    "Like": like.handle,
    "Block": block.handle,
    "Flag": flag.handle,
    "Move": move.handle,
}


def dispatch(item: InboxItem) -> bool:
    """Run the handler for a stored activity; False when it was ignored."""
    handler = HANDLERS.get(item.activity_type)
    if handler is None:
        log.info("inbox item %s: unknown type %r ignored", item.id, item.activity_type)
        return False
    actor = resolve.find_account_by_uri(item.actor_uri) or resolve.resolve_account(item.actor_uri)
    if actor is None or actor.local or actor.suspended_at is not None:
        return False
    recipient_id = item.recipient_account_id
    recipient = db.session.get(Account, recipient_id) if recipient_id is not None else None
    return handler(
        Inbound(item_id=item.id, activity=item.payload, actor=actor, recipient=recipient)
    )
