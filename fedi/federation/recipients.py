"""Which remote inboxes an outbound activity goes to.

- public and unlisted statuses: remote followers and mentioned actors, one delivery per shared
  inbox (a server with many of them gets the activity once);
- private statuses: remote followers (a shared inbox is fine: addressed followers live behind it)
  and mentioned actors who do not share one of those inboxes get their own actor inbox;
- direct statuses: the mentioned actors' own inboxes only, never a shared one;
- boosts: the booster's followers and the boosted author;
- account activities (profile updates): every remote follower;
- one-to-one activities (Follow, Accept, Reject, Block, Like, a poll vote): the target's own
  inbox;
- an Update of a poll's counts: the status's audience and the remote voters.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import (
    Account,
    Delivery,
    Follow,
    Mention,
    OutboxActivity,
    Poll,
    PollVote,
    Status,
    Visibility,
)


def _remote(query):
    return query.where(Account.domain.is_not(None), Account.suspended_at.is_(None))


def _preferred(account: Account) -> str:
    return account.shared_inbox_url or account.inbox_url


def _unique(urls: Iterable[str | None]) -> list[str]:
    return [url for url in dict.fromkeys(urls) if url]


def remote_followers(account_id: int) -> list[Account]:
    query = select(Account).join(Follow, Follow.account_id == Account.id)
    return list(db.session.scalars(_remote(query.where(Follow.target_account_id == account_id))))


def mentioned(status: Status) -> list[Account]:
    query = select(Account).join(Mention, Mention.account_id == Account.id)
    return list(db.session.scalars(_remote(query.where(Mention.status_id == status.id))))


def boosters(status: Status) -> list[Account]:
    """Remote accounts that boosted the status (an Update or Delete reaches them too)."""
    query = select(Account).join(Status, Status.account_id == Account.id)
    return list(db.session.scalars(_remote(query.where(Status.reblog_of_id == status.id))))


def _parent_author(status: Status) -> list[Account]:
    """The author replied to, when remote: they are told even when not mentioned."""
    if status.in_reply_to_account_id is None:
        return []
    author = db.session.get(Account, status.in_reply_to_account_id)
    ok = author is not None and not author.local and author.suspended_at is None
    return [author] if ok else []


def for_status(status: Status) -> list[str]:
    """Inboxes for a status' Create, Update or Delete (boosts: see `for_boost`)."""
    if status.reblog_of_id is not None:
        return for_boost(status)
    addressed = mentioned(status)
    if status.visibility == Visibility.DIRECT:
        return _unique(account.inbox_url for account in addressed)
    addressed += _parent_author(status)
    followers = _unique(_preferred(a) for a in remote_followers(status.account_id))
    if status.visibility == Visibility.PRIVATE:
        behind = set(followers)
        own = [a.inbox_url for a in addressed if _preferred(a) not in behind]
        return _unique([*followers, *own])
    addressed += boosters(status)
    return _unique([*followers, *(_preferred(a) for a in addressed)])


def poll_voters(status: Status) -> list[Account]:
    """Remote accounts that voted on the status's poll."""
    query = (
        select(Account)
        .join(PollVote, PollVote.account_id == Account.id)
        .join(Poll, Poll.id == PollVote.poll_id)
        .where(Poll.status_id == status.id)
        .distinct()
    )
    return list(db.session.scalars(_remote(query)))


def for_poll(status: Status) -> list[str]:
    """Inboxes for an Update of a poll's counts: the status's audience and the remote voters."""
    voters = poll_voters(status)
    if status.visibility == Visibility.DIRECT:
        return _unique([*for_status(status), *(a.inbox_url for a in voters)])
    return _unique([*for_status(status), *(_preferred(a) for a in voters)])


def for_boost(boost: Status) -> list[str]:
    """The booster's followers and the boosted status' author."""
    inboxes = [_preferred(a) for a in remote_followers(boost.account_id)]
    original = boost.reblog
    if original is not None and not original.account.local:
        inboxes.append(original.account.inbox_url)
    return _unique(inboxes)


def for_account(account: Account) -> list[str]:
    """Every remote follower's server (a profile update or an account deletion)."""
    return _unique(_preferred(a) for a in remote_followers(account.id))


def knowing(account: Account) -> list[str]:
    """Every server that knows a local account (its Delete): its remote followers' and
    followees' inboxes, and every inbox that was ever sent one of its activities."""
    followees = select(Account).join(Follow, Follow.target_account_id == Account.id)
    followees = followees.where(Follow.account_id == account.id)
    sent = (
        select(Delivery.inbox_url)
        .join(OutboxActivity, OutboxActivity.id == Delivery.activity_id)
        .where(OutboxActivity.account_id == account.id)
        .distinct()
    )
    return _unique([
        *(_preferred(a) for a in remote_followers(account.id)),
        *(_preferred(a) for a in db.session.scalars(_remote(followees))),
        *db.session.scalars(sent),
    ])  # fmt: skip


def for_actor(target: Account | None) -> list[str]:
    """The target's own inbox, when the target is remote."""
    if target is None or target.local or target.suspended_at is not None:
        return []
    return _unique([target.inbox_url or target.shared_inbox_url])


def replied_to_in_report(
    statuses: list[Status], domains: Iterable[str], target: Account
) -> list[str]:
    """The inboxes of the remote accounts on `domains` that the reported statuses reply to, not
    the target's own (Mastodon forwards a report there too, so that they may act as well)."""
    replied = {s.in_reply_to_account_id for s in statuses if s.in_reply_to_account_id}
    wanted = set(domains)
    if not replied or not wanted:
        return []
    query = _remote(select(Account).where(Account.id.in_(replied), Account.domain.in_(wanted)))
    skip = {target.inbox_url, target.shared_inbox_url}
    return [
        url for url in _unique(_preferred(a) for a in db.session.scalars(query)) if url not in skip
    ]
