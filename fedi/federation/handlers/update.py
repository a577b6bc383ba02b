"""Update of a status (an edit, kept with its history) or of the actor's own profile."""

from __future__ import annotations

from fedi.federation import resolve
from fedi.federation.handlers.context import Inbound, known_status
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    obj = ctx.object
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return False
    if not resolve.same_host(obj["id"], ctx.actor.uri):
        ctx.note("object is not on the signer's host")
        return False
    if obj.get("type") in resolve.ACTOR_TYPES:
        if obj["id"] != ctx.actor.uri:
            return False
        return remote.upsert_account(obj, domain=ctx.actor.domain or "") is not None
    if obj.get("type") not in resolve.STATUS_TYPES:
        return False
    status = known_status(obj["id"])
    if status is None or status.account_id != ctx.actor.id or status.reblog_of_id is not None:
        return False
    remote.update_status(status, resolve.with_mention_hrefs(obj))
    return True
