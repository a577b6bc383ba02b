"""Polls as Mastodon federates them: a status with a poll is a Question (`oneOf` or `anyOf`
options, each with its count as `replies.totalItems`, `endTime`, `closed` once ended,
`votersCount`), its counts go out as an Update of the Question, and a local vote on a remote
poll is a Create of a Note named after the option, in reply to the Question."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation.serializers.common import iso, with_context
from fedi.models import Account, Poll, PollVote, Status, utcnow


def poll_of(status: Status) -> Poll | None:
    return db.session.scalar(select(Poll).where(Poll.status_id == status.id))


def question_fields(poll: Poll) -> dict[str, Any]:
    """What a Question adds to a Note. Counts hidden until the end (`hide_totals`) go out as 0."""
    ended = poll.expired()
    shown = ended or not poll.hide_totals
    tallies = list(poll.tallies or ())
    options = [
        {
            "type": "Note",
            "name": title,
            "replies": {
                "type": "Collection",
                "totalItems": (tallies[i] if i < len(tallies) else 0) if shown else 0,
            },
        }
        for i, title in enumerate(poll.options or ())
    ]
    body: dict[str, Any] = {"anyOf" if poll.multiple else "oneOf": options}
    if poll.expires_at is not None:
        body["endTime"] = iso(poll.expires_at)
    if ended:
        body["closed"] = iso(poll.expires_at)
    if poll.voters_count is not None:
        body["votersCount"] = poll.voters_count
    return body


def vote(row: PollVote, voter: Account, status: Status, poll: Poll) -> dict[str, Any]:
    """One chosen option of a local account's vote on a remote poll, to the poll's author."""
    author = status.account.uri
    note_id = row.uri or f"{voter.uri}#votes/{row.id}"
    return with_context({
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": voter.uri,
        "to": author,
        "object": {
            "id": note_id,
            "type": "Note",
            "name": poll.options[row.choice],
            "attributedTo": voter.uri,
            "inReplyTo": status.uri,
            "to": author,
        },
    })  # fmt: skip


def update_id(status: Status) -> str:
    """A new id for each Update of a Question's counts."""
    return f"{status.uri}#updates/{int(utcnow().timestamp() * 1000)}"
