"""Polls attached to statuses (local and remote), and the votes cast on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, utcnow


class Poll(db.Model):
    """A status's poll: its option titles and the cached count of each (`tallies`, in the order
    of `options`). A local poll's counts are computed from its votes; a remote one's come from
    its server (`replies.totalItems` of each option), plus the votes cast here since."""

    __tablename__ = "polls"

    id: Mapped[int] = snowflake_pk()
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    options: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tallies: Mapped[list[int]] = mapped_column(JSONType, default=list)
    votes_count: Mapped[int] = mapped_column(Integer, default=0)
    # None: a remote single-choice poll whose server does not say (Mastodon's entity shows null).
    voters_count: Mapped[int | None] = mapped_column(Integer)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_totals: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the `poll` notifications of its end are made: they are made once.
    ended_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())


# The periodic end-of-poll task reads ended polls not yet notified.
Index("ix_polls_expires_at_pending", Poll.expires_at, Poll.ended_notified_at)


class PollVote(db.Model):
    """One chosen option (a multiple-choice vote is a row per option). `uri`: the id of a remote
    voter's vote Note, or of the one sent for a local vote on a remote poll."""

    __tablename__ = "poll_votes"
    # A redelivered vote counts once.
    __table_args__ = (UniqueConstraint("poll_id", "account_id", "choice"),)

    id: Mapped[int] = snowflake_pk()
    poll_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("polls.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    choice: Mapped[int] = mapped_column(Integer)
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime] = created_at()
