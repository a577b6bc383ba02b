"""Activities about our objects, each with a stable `id` (Mastodon's id shapes)."""

from __future__ import annotations

from typing import Any

from fedi.federation import addressing
from fedi.federation.serializers.actor import actor as actor_document
from fedi.federation.serializers.common import iso, with_context
from fedi.federation.serializers.note import note, tombstone
from fedi.federation.serializers.poll import update_id
from fedi.models import Account, Block, Favourite, Follow, FollowRequest, Status, utcnow


def _bare(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "@context"}


def create(status: Status) -> dict[str, Any]:
    to, cc = addressing.audience(status)
    return with_context({
        "id": f"{status.uri}/activity",
        "type": "Create",
        "actor": status.account.uri,
        "published": iso(status.created_at),
        "to": to,
        "cc": cc,
        "object": note(status, context=False),
    })  # fmt: skip


def update(status: Status) -> dict[str, Any]:
    """An edit: the id changes with each revision, so each edit is a new activity."""
    to, cc = addressing.audience(status)
    at = status.edited_at or utcnow()
    return with_context({
        "id": f"{status.uri}#updates/{int(at.timestamp() * 1000)}",
        "type": "Update",
        "actor": status.account.uri,
        "published": iso(at),
        "to": to,
        "cc": cc,
        "object": note(status, context=False),
    })  # fmt: skip


def update_poll(status: Status) -> dict[str, Any]:
    """The Question again with its current counts (after votes, and when it ends)."""
    to, cc = addressing.audience(status)
    return with_context({
        "id": update_id(status),
        "type": "Update",
        "actor": status.account.uri,
        "published": iso(utcnow()),
        "to": to,
        "cc": cc,
        "object": note(status, context=False),
    })  # fmt: skip


def delete(status: Status) -> dict[str, Any]:
    """Delete of a status (or Undo of a boost: use `undo(announce(boost), ...)` for those)."""
    to, cc = addressing.audience(status)
    return with_context({
        "id": f"{status.uri}#delete",
        "type": "Delete",
        "actor": status.account.uri,
        "to": [addressing.PUBLIC],
        "cc": [uri for uri in (*to, *cc) if uri != addressing.PUBLIC],
        "object": tombstone(status),
    })  # fmt: skip


def delete_actor(account: Account) -> dict[str, Any]:
    """Delete of a local actor (its suspension: Mastodon's id shape, `#delete`)."""
    return with_context({
        "id": f"{account.uri}#delete",
        "type": "Delete",
        "actor": account.uri,
        "to": [addressing.PUBLIC],
        "object": account.uri,
    })  # fmt: skip


def announce(boost: Status) -> dict[str, Any]:
    if boost.reblog is None:
        raise ValueError("announce() needs a boost")
    to, cc = addressing.audience(boost)
    return with_context({
        "id": boost.uri,
        "type": "Announce",
        "actor": boost.account.uri,
        "published": iso(boost.created_at),
        "to": to,
        "cc": cc,
        "object": boost.reblog.uri,
    })  # fmt: skip


def undo(activity: dict[str, Any], actor: Account) -> dict[str, Any]:
    """Undo of one of our earlier activities, with the same audience."""
    body: dict[str, Any] = {
        "id": f"{activity['id']}/undo",
        "type": "Undo",
        "actor": actor.uri,
    }
    for key in ("to", "cc"):
        if activity.get(key):
            body[key] = activity[key]
    body["object"] = _bare(activity)
    return with_context(body)


def like(favourite: Favourite) -> dict[str, Any]:
    return with_context({
        "id": favourite.uri or f"{favourite.account.uri}#likes/{favourite.id}",
        "type": "Like",
        "actor": favourite.account.uri,
        "object": favourite.status.uri,
    })  # fmt: skip


def follow_uri(row: Follow | FollowRequest) -> str:
    return row.uri or f"{row.account.uri}#follows/{row.id}"


def follow(follow_or_request: Follow | FollowRequest) -> dict[str, Any]:
    row = follow_or_request
    return with_context({
        "id": follow_uri(row),
        "type": "Follow",
        "actor": row.account.uri,
        "object": row.target_account.uri,
    })  # fmt: skip


def _answer(kind: str, row: Follow | FollowRequest) -> dict[str, Any]:
    target = row.target_account
    return with_context({
        "id": f"{target.uri}#{kind.lower()}s/follows/{row.id}",
        "type": kind,
        "actor": target.uri,
        "object": _bare(follow(row)),
    })  # fmt: skip


def accept(follow: Follow | FollowRequest) -> dict[str, Any]:
    return _answer("Accept", follow)


def reject(follow_request: Follow | FollowRequest) -> dict[str, Any]:
    return _answer("Reject", follow_request)


def block(block: Block) -> dict[str, Any]:
    return with_context({
        "id": block.uri or f"{block.account.uri}#blocks/{block.id}",
        "type": "Block",
        "actor": block.account.uri,
        "object": block.target_account.uri,
    })  # fmt: skip


def update_actor(account: Account) -> dict[str, Any]:
    at = account.updated_at or utcnow()
    return with_context({
        "id": f"{account.uri}#updates/{int(at.timestamp() * 1000)}",
        "type": "Update",
        "actor": account.uri,
        "to": [addressing.PUBLIC],
        "object": _bare(actor_document(account)),
    })  # fmt: skip
