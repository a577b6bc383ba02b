"""Move: local followers of the old account follow the new one, when the new one lists the old
as an alias (alsoKnownAs, refetched from its origin)."""

from __future__ import annotations

from fedi.federation import resolve
from fedi.federation.handlers.context import Inbound
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    if ctx.object_id != ctx.actor.uri:
        return False
    target_uri = remote.ref(ctx.activity.get("target"))
    if not target_uri or target_uri == ctx.actor.uri:
        return False
    new = resolve.resolve_account(target_uri, refresh=True)
    if new is None or new.suspended_at is not None:
        return False
    if ctx.actor.uri not in (new.also_known_as or []):
        ctx.note("the new account does not list the old one in alsoKnownAs")
        return False
    remote.move_followers(old=ctx.actor, new=new)
    return True
