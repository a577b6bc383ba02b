"""Polls: the rules of creating one with a status (or replacing it in an edit), voting, and the
`poll` notifications when one ends, the way Mastodon has them.

Counts change inside the vote's transaction with the poll's row locked (`SELECT ... FOR UPDATE`
on PostgreSQL; SQLite serialises writers anyway): a local poll's counts are computed again from
its votes, a remote poll's (counted by its server) are incremented. Votes on a local poll are
announced debounced, as Mastodon does: time is cut in windows of UPDATE_DELAY seconds, and the
first vote of a window enqueues `federate_poll_update` (an Update of the Question) for the
window's end; the task reads the counts when it runs, so each window with votes sends one Update
with every vote of the window counted (none while the totals are hidden: the end sends them).
A vote on a remote poll enqueues `federate_poll_votes` (one Create of a Note per chosen option,
to the poll's author).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, distinct, func, select, update

from fedi import queue
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id, parse_id
from fedi.models import (
    Account,
    Notification,
    NotificationType,
    Poll,
    PollVote,
    Status,
    utcnow,
)
from fedi.services import notifications, visibility

# Mastodon's limits, advertised by the instance entity (fedi/api/instance.py reads them here).
MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRATION = 300  # seconds
MAX_EXPIRATION = 2629746  # a month
# Votes on a local poll go out as one Update of the Question per window of this many seconds
# (Mastodon: 3 minutes after a vote, one job at a time).
UPDATE_DELAY = 180.0
ENDED_BATCH = 200

EXPIRED = "The poll has already ended"
ALREADY_VOTED = "You have already voted on this poll"
INVALID_CHOICE = "The chosen vote option does not exist"
SELF_VOTE = "You cannot vote in your own polls"


@dataclass(frozen=True, slots=True)
class PollSpec:
    """A poll as asked for (the API's `poll[...]`, the compose form's fields), not yet checked."""

    options: list[str]
    expires_in: Any
    multiple: bool = False
    hide_totals: bool = False


def limits() -> dict[str, int]:
    """The instance entity's `configuration.polls`."""
    return {
        "max_options": MAX_OPTIONS,
        "max_characters_per_option": MAX_OPTION_CHARS,
        "min_expiration": MIN_EXPIRATION,
        "max_expiration": MAX_EXPIRATION,
    }


def _seconds(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def check(spec: PollSpec) -> tuple[list[str], int]:
    """The options (blank ones dropped, the rest stripped) and the duration in seconds, or
    Unprocessable with Mastodon's messages."""
    options = [str(o).strip() for o in spec.options if o is not None and str(o).strip()]
    errors = []
    if len(options) < 2:
        errors.append("Poll options must have more than one item")
    if len(options) > MAX_OPTIONS:
        errors.append(f"Poll options can't contain more than {MAX_OPTIONS} items")
    if any(len(o) > MAX_OPTION_CHARS for o in options):
        errors.append(f"Poll options cannot be longer than {MAX_OPTION_CHARS} characters each")
    if len(set(options)) != len(options):
        errors.append("Poll options contain duplicate items")
    seconds = _seconds(spec.expires_in)
    if seconds is None or seconds > MAX_EXPIRATION:
        errors.append("Poll expires at is too far into the future")
    elif seconds < MIN_EXPIRATION:
        errors.append("Poll expires at is too soon")
    if errors:
        raise Unprocessable(f"Validation failed: {', '.join(errors)}")
    return options, seconds or 0


def attach(status: Status, spec: PollSpec) -> Poll:
    """Add a new local poll to `status` (already flushed); the caller commits."""
    options, seconds = check(spec)
    poll = Poll(
        id=new_id(), status_id=status.id, account_id=status.account_id, options=options,
        tallies=[0] * len(options), votes_count=0, voters_count=0,
        multiple=bool(spec.multiple), hide_totals=bool(spec.hide_totals),
        expires_at=utcnow() + timedelta(seconds=seconds),
    )  # fmt: skip
    db.session.add(poll)
    return poll


def for_status(status_id: int) -> Poll | None:
    return db.session.scalar(select(Poll).where(Poll.status_id == status_id))


def options_of(status_id: int) -> list[str] | None:
    """The option titles of the status's poll (for its edit history), None without one."""
    poll = for_status(status_id)
    return list(poll.options) if poll is not None else None


def replace(status: Status, spec: PollSpec | None) -> bool:
    """An edit's poll (Mastodon's UpdateStatusService): none removes it; other options or
    another kind (single or multiple choice) reset its votes; the duration starts again.
    True when the poll changed. The caller commits."""
    poll = for_status(status.id)
    if spec is None:
        if poll is None:
            return False
        db.session.delete(poll)
        return True
    if poll is None:
        attach(status, spec)
        return True
    options, seconds = check(spec)
    changed = options != list(poll.options) or bool(spec.multiple) != poll.multiple
    if changed:
        db.session.execute(delete(PollVote).where(PollVote.poll_id == poll.id))
        poll.tallies, poll.votes_count, poll.voters_count = [0] * len(options), 0, 0
    poll.ended_notified_at = None  # it starts again: its end is announced when it comes
    expires_at = utcnow() + timedelta(seconds=seconds)
    poll.options, poll.multiple, poll.hide_totals = (
        options,
        bool(spec.multiple),
        bool(spec.hide_totals),
    )
    changed = changed or abs((expires_at - (poll.expires_at or expires_at)).total_seconds()) > 1
    poll.expires_at = expires_at
    return changed


def get_visible(poll_id: Any, viewer: Account | None) -> tuple[Poll, Status]:
    """The poll and its status when the viewer may see the status; NotFound otherwise."""
    number = parse_id(poll_id)
    poll = db.session.get(Poll, number) if number is not None else None
    status = db.session.get(Status, poll.status_id) if poll is not None else None
    if status is None or not visibility.can_see(viewer, status):
        raise NotFound("Record not found")
    return poll, status


def own_votes(poll: Poll, account_id: int | None) -> list[int]:
    if account_id is None:
        return []
    return sorted(
        db.session.scalars(
            select(PollVote.choice).where(
                PollVote.poll_id == poll.id, PollVote.account_id == account_id
            )
        )
    )


def _locked(poll_id: int) -> Poll:
    """The poll's row, locked until the transaction ends, with what is stored now."""
    return db.session.scalars(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _choices(poll: Poll, choices: Sequence[Any]) -> list[int]:
    out = []
    for choice in choices:
        number = _seconds(choice)  # an integer, whatever its spelling
        if number is None or not 0 <= number < len(poll.options):
            raise Unprocessable(f"Validation failed: {INVALID_CHOICE}")
        out.append(number)
    if not out:
        raise Unprocessable(f"Validation failed: {INVALID_CHOICE}")
    return out


def _recount(poll: Poll) -> None:
    """A local poll's counts, from its votes."""
    counts = dict(
        db.session.execute(
            select(PollVote.choice, func.count())
            .where(PollVote.poll_id == poll.id)
            .group_by(PollVote.choice)
        ).all()
    )
    poll.tallies = [counts.get(i, 0) for i in range(len(poll.options))]
    poll.votes_count = sum(counts.values())
    poll.voters_count = db.session.scalar(
        select(func.count(distinct(PollVote.account_id))).where(PollVote.poll_id == poll.id)
    )


def _count(poll: Poll, local: bool, choices: list[int], new_voter: bool) -> None:
    if local:
        _recount(poll)
        return
    tallies = list(poll.tallies or [0] * len(poll.options))
    for choice in choices:
        tallies[choice] += 1
    poll.tallies, poll.votes_count = tallies, poll.votes_count + len(choices)
    if new_voter and poll.voters_count is not None:
        poll.voters_count += 1


def vote(*, poll_id: Any, account: Account, choices: Sequence[Any]) -> Poll:
    """A local account's vote, checked as Mastodon's VoteValidator does (422s: ended, not an
    option, one's own poll, voted already or a second choice on a single-choice poll)."""
    poll, status = get_visible(poll_id, account)
    poll = _locked(poll.id)
    if poll.expired():
        raise Unprocessable(f"Validation failed: {EXPIRED}")
    wanted = _choices(poll, choices)
    if poll.account_id == account.id:
        raise Unprocessable(f"Validation failed: {SELF_VOTE}")
    before = set(own_votes(poll, account.id))
    repeated = len(set(wanted)) != len(wanted) or bool(before & set(wanted))
    if repeated or (not poll.multiple and (before or len(wanted) > 1)):
        raise Unprocessable(f"Validation failed: {ALREADY_VOTED}")
    rows = [PollVote(id=new_id(), poll_id=poll.id, account_id=account.id, choice=c) for c in wanted]
    db.session.add_all(rows)
    db.session.flush()
    _count(poll, status.local, wanted, new_voter=not before)
    delay = _update_delay(poll, rows) if status.local else None
    db.session.commit()
    if delay is not None:
        queue.enqueue("federate_poll_update", poll.status_id, delay=delay)
    elif not status.local:
        queue.enqueue("federate_poll_votes", [r.id for r in rows])
    return poll


def _update_delay(poll: Poll, new: list[PollVote]) -> float | None:
    """Seconds until the end of the current window when `new` are its first votes (the poll's
    row is locked, so concurrent votes see each other), else None: an Update is due already."""
    if poll.hide_totals:
        return None
    now = utcnow().timestamp()
    start = now - now % UPDATE_DELAY
    earlier = db.session.scalar(
        select(PollVote.id)
        .where(
            PollVote.poll_id == poll.id,
            PollVote.created_at >= datetime.fromtimestamp(start, UTC),
            PollVote.id.not_in([v.id for v in new]),
        )
        .limit(1)
    )
    return None if earlier is not None else max(start + UPDATE_DELAY - now, 1.0)


def record_remote_vote(*, parent: Status, voter: Account, name: str, uri: str) -> bool:
    """A remote account's vote as Mastodon sends it (a Note named after the option, in reply
    to the local poll's status). False when it is no vote here (not a local poll, not one of its
    options), so the caller stores it as the post it is; True otherwise, counted once however
    often it is delivered (and ignored once the poll ended, or on a second choice of a
    single-choice poll)."""
    if not parent.local or parent.deleted_at is not None:
        return False
    found = for_status(parent.id)
    if found is None or name not in found.options:
        return False
    poll = _locked(found.id)
    choice = poll.options.index(name)
    if poll.expired() or voter.id == poll.account_id:
        return True
    before = set(own_votes(poll, voter.id))
    known = db.session.scalar(select(PollVote.id).where(PollVote.uri == uri))
    if known is not None or choice in before or (before and not poll.multiple):
        db.session.rollback()
        return True
    row = PollVote(id=new_id(), poll_id=poll.id, account_id=voter.id, choice=choice, uri=uri)
    db.session.add(row)
    db.session.flush()
    _count(poll, True, [choice], new_voter=not before)
    delay = _update_delay(poll, [row])
    db.session.commit()
    if delay is not None:
        queue.enqueue("federate_poll_update", poll.status_id, delay=delay)
    return True


# Ending: the `poll` notifications.


def ended_ids(limit: int = ENDED_BATCH) -> list[int]:
    """Polls that ended and whose end has not been announced yet, oldest end first."""
    return list(
        db.session.scalars(
            select(Poll.id)
            .where(Poll.expires_at <= utcnow(), Poll.ended_notified_at.is_(None))
            .order_by(Poll.expires_at)
            .limit(limit)
        )
    )


def notify_ended(poll_id: int) -> list[Notification]:
    """Claim the ended poll (one UPDATE: a poll is announced once, whoever runs this) and, in
    the same transaction, notify its local voters and its author when local. Returns the
    notifications made (published after the commit). A local poll's final counts go out as an
    Update of its Question."""
    now = utcnow()
    claimed = db.session.execute(
        update(Poll)
        .where(Poll.id == poll_id, Poll.ended_notified_at.is_(None), Poll.expires_at <= now)
        .values(ended_notified_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return []
    poll = db.session.get(Poll, poll_id)
    status = db.session.get(Status, poll.status_id) if poll is not None else None
    if poll is None or status is None or status.deleted_at is not None:
        db.session.commit()
        return []
    author = status.account
    voters = list(
        db.session.scalars(
            select(PollVote.account_id)
            .join(Account, Account.id == PollVote.account_id)
            .where(PollVote.poll_id == poll.id, Account.domain.is_(None))
            .distinct()
        )
    )
    created = notifications.notify_many(
        recipients=voters, sender=author, type_=NotificationType.POLL, status_id=status.id
    )
    if status.local:
        own = Notification(
            id=new_id(), account_id=author.id, from_account_id=author.id,
            type=NotificationType.POLL, status_id=status.id,
        )  # fmt: skip
        db.session.add(own)
        created.append(own)
    db.session.commit()
    notifications.publish(created)
    if status.local:
        queue.enqueue("federate_poll_update", status.id)
    return created
