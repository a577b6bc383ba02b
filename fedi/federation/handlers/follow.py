"""Follow: an unlocked local account accepts at once (and says so with an Accept); a locked
one gets a follow request to approve."""

from __future__ import annotations

from fedi.federation import delivery, serializers
from fedi.federation.handlers.context import Inbound, local_account
from fedi.models import Follow
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    target = local_account(ctx.object_id)
    if target is None or target.suspended_at is not None:
        return False
    uri = ctx.activity.get("id")
    if not isinstance(uri, str):
        return False
    row = remote.receive_follow(follower=ctx.actor, target=target, uri=uri)
    if row is None:
        ctx.note("follow refused (blocked or suspended)")
        return False
    if isinstance(row, Follow):
        inbox_url = ctx.actor.inbox_url or ctx.actor.shared_inbox_url or ""
        delivery.deliver_activity(
            actor=target, activity=serializers.accept(row), inboxes=[inbox_url]
        )
    return True
