"""Read markers: where a user stopped reading the home timeline and notifications.

Writes use optimistic locking like Mastodon's `lock_version`: a change bumps `version` only if
nobody else changed the row since it was read; a lost race is a Conflict (409).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from fedi.errors import Conflict, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, Marker, utcnow

TIMELINES = ("home", "notifications")
CONFLICT = "Conflict during update, please try again"


def get_markers(account: Account, timelines: list[str]) -> dict[str, Marker]:
    wanted = [t for t in dict.fromkeys(timelines) if t in TIMELINES]
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Marker).where(Marker.account_id == account.id, Marker.timeline.in_(wanted))
    )
    return {m.timeline: m for m in rows}


def _last_read_id(value: Any) -> int:
    if value in (None, ""):
        raise Unprocessable("Validation failed: Last read can't be blank")
    try:
        parsed = int(str(value))
    except ValueError:
        raise Unprocessable("Validation failed: Last read is not a number") from None
    if parsed < 0 or parsed >= 2**63:
        raise Unprocessable("Validation failed: Last read is not a number")
    return parsed


def save_markers(account: Account, values: dict[str, Any]) -> dict[str, Marker]:
    """Set `last_read_id` for each timeline given as `{"home": {"last_read_id": ...}}`."""
    wanted = {
        t: _last_read_id(v.get("last_read_id"))
        for t, v in values.items()
        if t in TIMELINES and isinstance(v, dict)
    }
    saved: dict[str, Marker] = {}
    try:
        for timeline, last_read_id in wanted.items():
            saved[timeline] = _save_one(account, timeline, last_read_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(CONFLICT) from None
    except Conflict:
        db.session.rollback()
        raise
    return saved


def _save_one(account: Account, timeline: str, last_read_id: int) -> Marker:
    marker = db.session.scalar(
        select(Marker).where(Marker.account_id == account.id, Marker.timeline == timeline)
    )
    if marker is None:
        marker = Marker(
            id=new_id(), account_id=account.id, timeline=timeline, last_read_id=last_read_id,
            version=0,
        )  # fmt: skip
        db.session.add(marker)
        db.session.flush()
        return marker
    if marker.last_read_id == last_read_id:
        return marker
    seen = marker.version
    result = db.session.execute(
        update(Marker)
        .where(Marker.id == marker.id, Marker.version == seen)
        .values(last_read_id=last_read_id, version=seen + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(CONFLICT)
    db.session.refresh(marker)
    return marker
