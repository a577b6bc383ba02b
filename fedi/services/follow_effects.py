"""What happens after a follow changes, run in tasks: notifications and home feed merges."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import Account, Follow, FollowRequest, NotificationType
from fedi.services import fanout, notifications


def followed(follow_id: int) -> None:
    follow = db.session.get(Follow, follow_id)
    if follow is None:
        return
    _notify(follow.target_account_id, follow.account_id, NotificationType.FOLLOW)
    fanout.merge_into_home(follow.account_id, follow.target_account_id)


def follow_requested(request_id: int) -> None:
    request = db.session.get(FollowRequest, request_id)
    if request is None:
        return
    _notify(request.target_account_id, request.account_id, NotificationType.FOLLOW_REQUEST)


def follow_accepted(follow_id: int) -> None:
    follow = db.session.get(Follow, follow_id)
    if follow is not None:
        fanout.merge_into_home(follow.account_id, follow.target_account_id)


def _notify(recipient_id: int, sender_id: int, type_: NotificationType) -> None:
    sender = db.session.get(Account, sender_id)
    if sender is None:
        return
    created = notifications.notify_many(recipients=[recipient_id], sender=sender, type_=type_)
    db.session.commit()
    notifications.publish(created)
