"""Flag (a report). There is no report model in this build yet: the activity stays recorded in
the inbox ledger (with its payload) for moderators, and is marked ignored."""

from __future__ import annotations

from fedi.federation.handlers.context import Inbound


def handle(ctx: Inbound) -> bool:
    ctx.note("report recorded in the inbox ledger only: reports are not stored yet")
    return False
