"""The Poll entity, as Mastodon's REST::PollSerializer renders it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fedi.entities.common import iso
from fedi.models import Poll, utcnow


def poll(
    row: Poll, viewer_id: int | None, own_votes: Sequence[int] = (), *, now: datetime | None = None
) -> dict[str, Any]:
    """`own_votes`: the viewer's choices (loaded with the page). Each option's `votes_count` is
    null while the totals are hidden (`hide_totals`) and the poll runs; `voted` and `own_votes`
    only for a signed-in viewer, and the author counts as having voted, as in Mastodon."""
    expired = row.expired(now or utcnow())
    shown = expired or not row.hide_totals
    tallies = list(row.tallies or ())
    body: dict[str, Any] = {
        "id": str(row.id),
        "expires_at": iso(row.expires_at),
        "expired": expired,
        "multiple": row.multiple,
        "votes_count": row.votes_count,
        "voters_count": row.voters_count,
        "options": [
            {
                "title": title,
                "votes_count": (tallies[i] if i < len(tallies) else 0) if shown else None,
            }
            for i, title in enumerate(row.options or ())
        ],
        "emojis": [],
    }
    if viewer_id is not None:
        body["voted"] = viewer_id == row.account_id or bool(own_votes)
        body["own_votes"] = list(own_votes)
    return body
