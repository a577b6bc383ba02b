"""Outbound federation tasks: every local action becomes an activity for its remote audience.

Services call `queue.enqueue("federate_<action>", ids...)` after commit. Each task loads its
rows, returns quietly when there is no remote recipient (purely local interactions send nothing),
builds the activity with `federation.serializers` and hands it to `federation.delivery`. Undo
tasks get ids rather than rows (the row is gone by then) and undo the activity we actually sent,
as stored in the outbox; when nothing was sent, there is nothing to undo.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import delivery, instance_actor, recipients, remote_mentions, serializers
from fedi.models import (
    Account,
    Block,
    Delivery,
    DeliveryState,
    Favourite,
    Follow,
    FollowRequest,
    OutboxActivity,
    Poll,
    PollVote,
    Status,
)
from fedi.queue import huey, periodic, task
from fedi.services import reports

__all__ = [
    "deliver",
    "deliver_batch",
    "federate_accept",
    "federate_announce",
    "federate_block",
    "federate_create",
    "federate_delete",
    "federate_delete_actor",
    "federate_flag",
    "federate_follow",
    "federate_like",
    "federate_poll_update",
    "federate_poll_votes",
    "federate_profile",
    "federate_reject",
    "federate_undo_announce",
    "federate_undo_block",
    "federate_undo_follow",
    "federate_undo_like",
    "federate_update",
    "requeue_deliveries",
]


@task()
def deliver(delivery_id: int) -> None:
    """One try of one delivery (see `deliver_batch`)."""
    delivery.attempt_many([delivery_id], wait=huey.immediate)


@task()
def deliver_batch(delivery_ids: list[int]) -> None:
    """One try of each of these deliveries: claimed, signed and handed to the process's sender,
    which sends them all at once; the thread is free again without waiting for the servers
    (in immediate mode it waits, and records the outcomes itself)."""
    delivery.attempt_many(delivery_ids, wait=huey.immediate)


@periodic(crontab(minute="*"))
def requeue_deliveries() -> None:
    """Re-enqueue due rows (retries, and anything a lost queue dropped), and move on the
    backlogs that nothing moves."""
    delivery.requeue_due()


def _send(actor: Account, activity: dict[str, Any], inboxes: list[str], **kw: Any) -> None:
    if inboxes:
        delivery.deliver_activity(actor=actor, activity=activity, inboxes=inboxes, **kw)


def _local_status(status_id: int) -> Status | None:
    status = db.session.get(Status, status_id)
    return status if status is not None and status.account.local else None


def _sent_to(activity_ids: Any) -> list[str]:
    """Inboxes that received (or may have received) earlier activities: an Undo or a Delete
    reaches them even if the audience changed since."""
    return list(
        db.session.scalars(
            select(Delivery.inbox_url).where(
                Delivery.activity_id.in_(activity_ids),
                Delivery.state.in_(
                    [DeliveryState.DELIVERED, DeliveryState.PENDING, DeliveryState.QUEUED]
                ),
            )
        )
    )


def _last_sent(actor_id: int, type_: str, *, object_uri: str | None = None, status_id=None):
    query = select(OutboxActivity).where(
        OutboxActivity.account_id == actor_id, OutboxActivity.type == type_
    )
    if object_uri is not None:
        query = query.where(OutboxActivity.payload["object"].as_string() == object_uri)
    if status_id is not None:
        query = query.where(OutboxActivity.status_id == status_id)
    return db.session.scalar(query.order_by(OutboxActivity.id.desc()).limit(1))


def _undo(original: OutboxActivity | None, actor: Account, inboxes: list[str]) -> None:
    if original is None:
        return
    delivery.cancel([original.id])  # a late retry must not arrive after its Undo
    sent = _sent_to([original.id])
    activity = serializers.undo(original.payload, actor)
    _send(actor, activity, list(dict.fromkeys([*inboxes, *sent])))


@task(retries=3, retry_delay=10)
def federate_create(status_id: int) -> None:
    status = _local_status(status_id)
    if status is None or status.deleted_at is not None or status.reblog_of_id is not None:
        return
    remote_mentions.resolve_unknown_mentions(status)  # they are addressed once known
    _send(status.account, serializers.create(status), recipients.for_status(status),
          status_id=status.id)  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_update(status_id: int) -> None:
    status = _local_status(status_id)
    if status is None or status.deleted_at is not None:
        return
    remote_mentions.resolve_unknown_mentions(status)
    _send(status.account, serializers.update(status), recipients.for_status(status),
          status_id=status.id)  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_poll_update(status_id: int) -> None:
    """The Question of a local poll with its current counts, to its audience and voters."""
    status = _local_status(status_id)
    if status is None or status.deleted_at is not None:
        return
    if db.session.scalar(select(Poll.id).where(Poll.status_id == status.id)) is None:
        return
    _send(status.account, serializers.update_poll(status), recipients.for_poll(status),
          status_id=status.id)  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_poll_votes(vote_ids: list[int]) -> None:
    """A local vote on a remote poll: a Create of a Note per chosen option, to its author."""
    for vote in db.session.scalars(select(PollVote).where(PollVote.id.in_(vote_ids))):
        voter = db.session.get(Account, vote.account_id)
        poll = db.session.get(Poll, vote.poll_id)
        status = db.session.get(Status, poll.status_id) if poll is not None else None
        if voter is None or not voter.local or status is None or status.account.local:
            continue
        _send(voter, serializers.vote(vote, voter, status, poll),
              recipients.for_actor(status.account))  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_delete(status_id: int) -> None:
    """Cancel what is still pending about the status, then send its Delete (or, for a boost,
    Undo Announce) to its audience and to every inbox that got it."""
    status = _local_status(status_id)
    if status is None:
        return
    if status.reblog_of_id is not None:
        _undo_announce(status)
        return
    delivery.cancel_for_status(status.id)
    earlier = select(OutboxActivity.id).where(OutboxActivity.status_id == status.id)
    inboxes = list(dict.fromkeys([*recipients.for_status(status), *_sent_to(earlier)]))
    _send(status.account, serializers.delete(status), inboxes)


@task(retries=3, retry_delay=10)
def federate_delete_actor(account_id: int) -> None:
    """A local account suspended: Delete of the actor to every server that knows it (its
    followers' and followees' servers, and every inbox it ever delivered to)."""
    account = db.session.get(Account, account_id)
    if account is None or not account.local or account.suspended_at is None:
        return
    _send(account, serializers.delete_actor(account), recipients.knowing(account))


@task(retries=3, retry_delay=10)
def federate_announce(boost_id: int) -> None:
    boost = _local_status(boost_id)
    if boost is None or boost.deleted_at is not None or boost.reblog is None:
        return
    _send(boost.account, serializers.announce(boost), recipients.for_boost(boost),
          status_id=boost.id)  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_undo_announce(boost_id: int) -> None:
    boost = _local_status(boost_id)
    if boost is not None and boost.reblog_of_id is not None:
        _undo_announce(boost)


def _undo_announce(boost: Status) -> None:
    delivery.cancel_for_status(boost.id)
    original = db.session.scalar(select(OutboxActivity).where(OutboxActivity.uri == boost.uri))
    _undo(original, boost.account, recipients.for_boost(boost))


@task(retries=3, retry_delay=10)
def federate_like(favourite_id: int) -> None:
    fav = db.session.get(Favourite, favourite_id)
    if fav is None or not fav.account.local:
        return
    _send(fav.account, serializers.like(fav), recipients.for_actor(fav.status.account),
          status_id=fav.status_id)  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_undo_like(account_id: int, status_id: int) -> None:
    actor, status = db.session.get(Account, account_id), db.session.get(Status, status_id)
    if actor is None or status is None or not actor.local:
        return
    original = _last_sent(actor.id, "Like", status_id=status.id)
    _undo(original, actor, recipients.for_actor(status.account))


@task(retries=3, retry_delay=10)
def federate_follow(request_id: int) -> None:
    request = db.session.get(FollowRequest, request_id)
    if request is None or not request.account.local:
        return
    _send(
        request.account, serializers.follow(request), recipients.for_actor(request.target_account)
    )


def _undo_follow(actor: Account, target: Account) -> None:
    _undo(_last_sent(actor.id, "Follow", object_uri=target.uri), actor,
          recipients.for_actor(target))  # fmt: skip


@task(retries=3, retry_delay=10)
def federate_undo_follow(account_id: int, target_id: int) -> None:
    actor, target = db.session.get(Account, account_id), db.session.get(Account, target_id)
    if actor is None or target is None or not actor.local or target.local:
        return
    _undo_follow(actor, target)


@task(retries=3, retry_delay=10)
def federate_accept(follow_id: int) -> None:
    """Accept a remote account's follow of a local one (approved, or auto-accepted)."""
    follow = db.session.get(Follow, follow_id)
    if follow is None or follow.account.local or not follow.target_account.local:
        return
    _send(follow.target_account, serializers.accept(follow), recipients.for_actor(follow.account))


@task(retries=3, retry_delay=10)
def federate_reject(request_id: int, account_id: int, target_id: int, uri: str | None) -> None:
    """Reject a remote account's follow request (the row is gone: rebuilt from its ids)."""
    requester, target = db.session.get(Account, account_id), db.session.get(Account, target_id)
    if requester is None or target is None or requester.local or not target.local:
        return
    request = FollowRequest(
        id=request_id, uri=uri, account_id=account_id, target_account_id=target_id
    )
    request.account, request.target_account = requester, target
    _send(target, serializers.reject(request), recipients.for_actor(requester))


@task(retries=3, retry_delay=10)
def federate_block(block_id: int) -> None:
    """Block, and undo our follow of the blocked account (the block ended it locally)."""
    block = db.session.get(Block, block_id)
    if block is None or not block.account.local or block.target_account.local:
        return
    actor, target = block.account, block.target_account
    _send(actor, serializers.block(block), recipients.for_actor(target))
    _undo_follow(actor, target)


@task(retries=3, retry_delay=10)
def federate_undo_block(account_id: int, target_id: int) -> None:
    actor, target = db.session.get(Account, account_id), db.session.get(Account, target_id)
    if actor is None or target is None or not actor.local or target.local:
        return
    _undo(_last_sent(actor.id, "Block", object_uri=target.uri), actor, recipients.for_actor(target))


@task(retries=3, retry_delay=10)
def federate_profile(account_id: int) -> None:
    account = db.session.get(Account, account_id)
    if account is None or not account.local:
        return
    _send(account, serializers.update_actor(account), recipients.for_account(account))


@task(retries=3, retry_delay=10)
def federate_flag(report_id: int, domains: list[str] | None = None) -> None:
    """Forward a local report from our instance actor: to the reported account's server when
    the report is `forwarded`, and to the servers on `domains` of the accounts its statuses
    reply to."""
    report = reports.get_for_flag(report_id)
    if report is None:
        return
    actor = instance_actor.get_instance_actor()
    statuses = reports.reported_statuses(report)
    activity = serializers.flag(report, actor, statuses)
    inboxes = recipients.for_actor(report.target_account) if report.forwarded else []
    inboxes += recipients.replied_to_in_report(statuses, domains or [], report.target_account)
    _send(actor, activity, list(dict.fromkeys(inboxes)))
