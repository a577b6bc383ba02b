"""Delete of a status (it leaves every feed) or of the actor itself (all its content goes)."""

from __future__ import annotations

from fedi.federation import resolve
from fedi.federation.handlers.context import Inbound, known_status
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    uri = ctx.object_id
    if not uri or not resolve.same_host(uri, ctx.actor.uri):
        ctx.note("object is not on the signer's host")
        return False
    if uri == ctx.actor.uri:
        remote.remove_account_content(ctx.actor)
        return True
    status = known_status(uri)
    if status is None or status.account_id != ctx.actor.id:
        return False
    remote.delete_status(status)
    return True
