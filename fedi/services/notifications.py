"""Creating notifications, with the recipient's blocks and mutes applied."""

from __future__ import annotations

from sqlalchemy import or_, select

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
from fedi.streaming import channels


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
    created = [
        Notification(
            id=new_id(), account_id=r, from_account_id=sender.id, type=type_, status_id=status_id,
            group_key=_group_key(type_, status_id),
        )
        for r in targets
        if r not in silenced
    ]  # fmt: skip
    db.session.add_all(created)
    return created


def _group_key(type_: NotificationType, status_id: int | None) -> str | None:
    if type_ in (NotificationType.FAVOURITE, NotificationType.REBLOG) and status_id:
        return f"{type_.value}-{status_id}"
    if type_ == NotificationType.FOLLOW:
        return "follow"
    return None


def publish(created: list[Notification]) -> None:
    for notification in created:
        channels.publish_notification(notification.account_id, notification.id)
