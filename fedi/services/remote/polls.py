"""Remote polls, from the Question a status arrives as (or is updated to): the options of
`oneOf` (single choice) or `anyOf` (multiple), each option's count from `replies.totalItems`,
the end from `endTime` (or `closed`), `votersCount` when given. A later Question with other
options drops the votes cast here, as Mastodon does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Poll, PollVote, Status, utcnow
from fedi.services.remote.common import MAX_NAME, as_list, parse_time, plain

MAX_OPTIONS = 50


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _parsed(obj: dict[str, Any]) -> tuple[list[str], list[int], bool, datetime | None] | None:
    multiple = bool(obj.get("anyOf")) and not obj.get("oneOf")
    items = as_list(obj.get("anyOf") if multiple else obj.get("oneOf"))[:MAX_OPTIONS]
    options, tallies = [], []
    for item in items:
        if not isinstance(item, dict):
            continue
        title = plain(item.get("name"), MAX_NAME)
        replies = item.get("replies")
        options.append(title)
        tallies.append(_count(replies.get("totalItems")) if isinstance(replies, dict) else 0)
    if not options:
        return None
    ends = parse_time(obj.get("endTime")) or parse_time(obj.get("closed"))
    if ends is None and obj.get("closed") is True:
        ends = utcnow()
    return options, tallies, multiple, ends


def _voters(obj: dict[str, Any]) -> int | None:
    value = obj.get("votersCount")
    return _count(value) if value is not None else None


def attach(obj: dict[str, Any], status: Status) -> Poll | None:
    """The poll of a new remote status, when its object is a Question (caller commits)."""
    if obj.get("type") != "Question":
        return None
    parsed = _parsed(obj)
    if parsed is None:
        return None
    options, tallies, multiple, ends = parsed
    poll = Poll(
        id=new_id(), status_id=status.id, account_id=status.account_id, options=options,
        tallies=tallies, votes_count=sum(tallies), voters_count=_voters(obj), multiple=multiple,
        hide_totals=False, expires_at=ends, last_fetched_at=utcnow(),
    )  # fmt: skip
    db.session.add(poll)
    return poll


def refresh(obj: dict[str, Any], status: Status) -> bool:
    """Take the counts (and options, and end) of a Question received again; True when the
    poll changed. A poll the status did not have is added (caller commits)."""
    poll = db.session.scalar(select(Poll).where(Poll.status_id == status.id).with_for_update())
    if poll is None:
        return attach(obj, status) is not None
    parsed = _parsed(obj) if obj.get("type") == "Question" else None
    if parsed is None:
        return False
    options, tallies, multiple, ends = parsed
    voters = _voters(obj)
    before = (list(poll.options), list(poll.tallies), poll.multiple, poll.expires_at,
              poll.voters_count)  # fmt: skip
    if options != list(poll.options) or multiple != poll.multiple:
        db.session.execute(delete(PollVote).where(PollVote.poll_id == poll.id))
    poll.options, poll.tallies, poll.multiple = options, tallies, multiple
    poll.votes_count, poll.voters_count, poll.expires_at = sum(tallies), voters, ends
    poll.last_fetched_at = utcnow()
    return before != (options, tallies, multiple, ends, voters)
