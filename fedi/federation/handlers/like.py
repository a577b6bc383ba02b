"""Like of a status we hold: a favourite, with its notification."""

from __future__ import annotations

from fedi.federation.handlers.context import Inbound, known_status
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    status = known_status(ctx.object_id)
    uri = ctx.activity.get("id")
    if status is None or not isinstance(uri, str):
        return False
    return remote.receive_like(by=ctx.actor, status=status, uri=uri) is not None
