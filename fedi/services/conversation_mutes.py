"""Which conversations a viewer muted, for a page of statuses (one query)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, ConversationMute, Status


def muted_among(viewer: Account, statuses: Sequence[Status]) -> set[int]:
    wanted = {(s.reblog or s).conversation_id for s in statuses} - {None}
    if not wanted:
        return set()
    query = select(ConversationMute.conversation_id).where(
        ConversationMute.account_id == viewer.id, ConversationMute.conversation_id.in_(wanted)
    )
    return set(db.session.scalars(query))
