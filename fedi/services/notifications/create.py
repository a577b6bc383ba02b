"""Creating notifications: the recipient's blocks, mutes, domain blocks and notification policy
apply, and groupable notifications get Mastodon's group keys."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from fedi.events import channels
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Account,
    AccountDomainBlock,
    Block,
    Mute,
    Notification,
    NotificationType,
    utcnow,
)
from fedi.services import push
from fedi.services.notifications import policy

# Mastodon's Notification::Groups: which types group, and how long one group may span.
GROUPABLE = frozenset(
    {
        NotificationType.FAVOURITE,
        NotificationType.REBLOG,
        NotificationType.FOLLOW,
        NotificationType.ADMIN_SIGN_UP,
    }
)
MAXIMUM_GROUP_SPAN_HOURS = 12


def _silenced_for(recipient_ids: list[int], sender: Account) -> set[int]:
    """Recipients who don't want notifications from `sender` (3 queries for any number)."""
    if not recipient_ids:
        return set()
    blocked = db.session.scalars(
        select(Block.account_id).where(
            Block.account_id.in_(recipient_ids), Block.target_account_id == sender.id
        )
    )
    muted = db.session.scalars(
        select(Mute.account_id).where(
            Mute.account_id.in_(recipient_ids),
            Mute.target_account_id == sender.id,
            Mute.hide_notifications.is_(True),
            or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()),
        )
    )
    silenced = set(blocked) | set(muted)
    if sender.domain is not None:
        silenced |= set(
            db.session.scalars(
                select(AccountDomainBlock.account_id).where(
                    AccountDomainBlock.account_id.in_(recipient_ids),
                    AccountDomainBlock.domain == sender.domain,
                )
            )
        )
    return silenced


def notify_many(
    *, recipients: list[int], sender: Account, type_: NotificationType, status_id: int | None = None
) -> list[Notification]:
    """Notify the local `recipients` (never the sender itself); the caller commits, then
    publishes with `publish()`."""
    local_ids = set(
        db.session.scalars(
            select(Account.id).where(Account.id.in_(recipients), Account.domain.is_(None))
        )
    )
    targets = [r for r in dict.fromkeys(recipients) if r in local_ids and r != sender.id]
    silenced = _silenced_for(targets, sender)
    targets = [r for r in targets if r not in silenced]
    dropped = policy.dropped(targets, sender=sender, type_=type_, status_id=status_id)
    targets = [r for r in targets if r not in dropped]
    keys = group_keys(targets, type_=type_, status_id=status_id)
    created = [
        Notification(
            id=new_id(), account_id=r, from_account_id=sender.id, type=type_,
            status_id=status_id, group_key=keys.get(r),
        )
        for r in targets
    ]  # fmt: skip
    db.session.add_all(created)
    return created


def group_keys(
    recipient_ids: list[int], *, type_: NotificationType, status_id: int | None
) -> dict[int, str]:
    """Mastodon's group keys: `favourite-<status id>-<hour>`, `reblog-<status id>-<hour>`,
    `follow-<hour>`, `admin.sign_up-<hour>`. A new notification joins the recipient's previous
    group of the same kind unless that group started MAXIMUM_GROUP_SPAN_HOURS or more ago
    (Mastodon keeps the previous hour in Redis; here it is read back from the table, one query)."""
    if type_ not in GROUPABLE or not recipient_ids:
        return {}
    if type_ in (NotificationType.FAVOURITE, NotificationType.REBLOG):
        if status_id is None:
            return {}
        prefix = f"{type_.value}-{status_id}"
    else:
        prefix = type_.value
    hour = int(utcnow().timestamp()) // 3600
    previous = _previous_hours(recipient_ids, type_, status_id, prefix)
    keys = {}
    for recipient in recipient_ids:
        last = previous.get(recipient)
        bucket = last if last is not None and hour < last + MAXIMUM_GROUP_SPAN_HOURS else hour
        keys[recipient] = f"{prefix}-{bucket}"
    return keys


def _previous_hours(
    recipient_ids: list[int], type_: NotificationType, status_id: int | None, prefix: str
) -> dict[int, int]:
    since = utcnow() - timedelta(hours=MAXIMUM_GROUP_SPAN_HOURS + 1)
    query = select(Notification.account_id, Notification.group_key).where(
        Notification.account_id.in_(recipient_ids),
        Notification.type == type_,
        Notification.group_key.is_not(None),
        Notification.created_at >= since,
    )
    if status_id is not None:
        query = query.where(Notification.status_id == status_id)
    hours: dict[int, int] = {}
    for account_id, key in db.session.execute(query.order_by(Notification.id.desc())):
        head, _, bucket = key.rpartition("-")
        if account_id not in hours and head == prefix and bucket.isdigit():
            hours[account_id] = int(bucket)
    return hours


def publish(created: list[Notification]) -> None:
    for notification in created:
        channels.publish_notification(notification.account_id, notification.id)
    push.enqueue(created)
