"""Block of a local account: follows end both ways and each leaves the other's feed."""

from __future__ import annotations

from fedi.errors import DomainError
from fedi.federation.handlers.context import Inbound, local_account
from fedi.services import blocks


def handle(ctx: Inbound) -> bool:
    target = local_account(ctx.object_id)
    if target is None:
        return False
    try:
        blocks.block(account=ctx.actor, target=target)
    except DomainError:
        return False
    return True
