"""The notification policy (Mastodon 4.3): per user, for each kind of unsolicited sender, whether to
`accept`, `filter` or `drop` their notifications. Stored in `User.settings["notification_policy"]`.

`drop` is honoured when notifications are created: they are never written. `filter` would put them
in a notification-request queue; that queue does not exist here, so `filter` behaves like `accept`
(the notifications appear normally, and the summary counts stay at zero), except for limited
(silenced) senders: their notifications reach only those who follow them, as Mastodon hid them
before it had a queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import (
    Account,
    Follow,
    FollowRequest,
    Mention,
    NotificationType,
    Status,
    User,
    Visibility,
    utcnow,
)

SETTING = "notification_policy"
VALUES = ("accept", "filter", "drop")
DEFAULTS = {
    "for_not_following": "accept",
    "for_not_followers": "accept",
    "for_new_accounts": "accept",
    "for_private_mentions": "filter",
    "for_limited_accounts": "filter",
}
V1_FIELDS = ("not_following", "not_followers", "new_accounts", "private_mentions")
NON_FILTERABLE = frozenset(
    {
        NotificationType.ADMIN_SIGN_UP,
        NotificationType.ADMIN_REPORT,
        NotificationType.MODERATION_WARNING,
        NotificationType.POLL,
        NotificationType.UPDATE,
    }
)
NEW_ACCOUNT_AGE = timedelta(days=30)
NEW_FOLLOWER_AGE = timedelta(days=3)
MAX_THREAD_DEPTH = 100


def effective(stored: Mapping[str, Any] | None) -> dict[str, str]:
    policy = dict(DEFAULTS)
    for key, value in (stored or {}).items():
        if key in DEFAULTS and value in VALUES:
            policy[key] = value
    return policy


def get_policy(account: Account) -> dict[str, str]:
    user = account.user
    return effective((user.settings or {}).get(SETTING) if user else None)


def update_policy(account: Account, changes: Mapping[str, Any]) -> dict[str, str]:
    """Apply `for_*` changes (values accept/filter/drop); unknown keys are ignored."""
    policy = get_policy(account)
    for key in DEFAULTS:
        if key not in changes or changes[key] is None:
            continue
        value = str(changes[key])
        if value not in VALUES:
            label = key.replace("_", " ").capitalize()
            raise Unprocessable(f"Validation failed: {label} is not included in the list")
        policy[key] = value
    user = account.user
    user.settings = {**(user.settings or {}), SETTING: policy}
    db.session.commit()
    return policy


def v1_changes(changes: Mapping[str, Any], to_bool) -> dict[str, str]:
    """The v1 API's `filter_*` booleans as `for_*` values (true: filter, false: accept)."""
    out = {}
    for name in V1_FIELDS:
        flag = to_bool(changes.get(f"filter_{name}"))
        if flag is not None:
            out[f"for_{name}"] = "filter" if flag else "accept"
    return out


def dropped(
    recipient_ids: list[int],
    *,
    sender: Account,
    type_: NotificationType,
    status_id: int | None,
) -> set[int]:
    """Recipients whose policy drops this notification (one query when nobody drops anything)."""
    if not recipient_ids or type_ in NON_FILTERABLE:
        return set()
    if sender.silenced_at is not None:  # limited: only those who follow it hear from it
        following = set(
            db.session.scalars(
                select(Follow.account_id).where(
                    Follow.account_id.in_(recipient_ids), Follow.target_account_id == sender.id
                )
            )
        )
        rest = [r for r in recipient_ids if r in following]
        return (set(recipient_ids) - following) | _by_policy(rest, sender, type_, status_id)
    return _by_policy(recipient_ids, sender, type_, status_id)


def _by_policy(
    recipient_ids: list[int], sender: Account, type_: NotificationType, status_id: int | None
) -> set[int]:
    if not recipient_ids:
        return set()
    droppers = {
        account_id: policy
        for account_id, settings in db.session.execute(
            select(User.account_id, User.settings).where(User.account_id.in_(recipient_ids))
        )
        if "drop" in (policy := effective((settings or {}).get(SETTING))).values()
    }
    if not droppers or (type_ == NotificationType.MENTION and _is_staff(sender)):
        return set()
    facts = _Facts(list(droppers), sender, type_, status_id)
    return {r for r, policy in droppers.items() if facts.drops(r, policy)}


def _is_staff(sender: Account) -> bool:
    return sender.domain is None and sender.user is not None and sender.user.is_staff


class _Facts:
    """What the drop rules need to know about the sender and each recipient, loaded in batches."""

    def __init__(
        self,
        recipients: list[int],
        sender: Account,
        type_: NotificationType,
        status_id: int | None,
    ) -> None:
        self.sender = sender
        following = select(Follow.account_id).where(
            Follow.account_id.in_(recipients), Follow.target_account_id == sender.id
        )
        requested = select(FollowRequest.account_id).where(
            FollowRequest.account_id.in_(recipients), FollowRequest.target_account_id == sender.id
        )
        self.following = set(db.session.scalars(following.union(requested)))
        self.followers = set(
            db.session.scalars(
                select(Follow.target_account_id).where(
                    Follow.account_id == sender.id,
                    Follow.target_account_id.in_(recipients),
                    Follow.created_at <= utcnow() - NEW_FOLLOWER_AGE,
                )
            )
        )
        self.new_account = sender.created_at > utcnow() - NEW_ACCOUNT_AGE
        self.private_mention = False
        self.answered: set[int] = set()
        if type_ == NotificationType.MENTION and status_id is not None:
            status = db.session.get(Status, status_id)
            if status is not None and status.visibility == Visibility.DIRECT:
                self.private_mention = True
                self.answered = _replied_to_private_mentions(status, sender.id)

    def drops(self, recipient: int, policy: dict[str, str]) -> bool:
        follows_sender = recipient in self.following
        limited = self.sender.silenced_at is not None
        if policy["for_limited_accounts"] == "drop" and limited and not follows_sender:
            return True
        if policy["for_not_following"] == "drop" and not follows_sender:
            return True
        if policy["for_not_followers"] == "drop" and recipient not in self.followers:
            return True
        if policy["for_new_accounts"] == "drop" and self.new_account and not follows_sender:
            return True
        return (
            policy["for_private_mentions"] == "drop"
            and self.private_mention
            and not follows_sender
            and recipient not in self.answered
        )


def _replied_to_private_mentions(status: Status, sender_id: int) -> set[int]:
    """Authors up the thread of `status` who privately mentioned the sender: a reply to their own
    private mention is never dropped."""
    direct_authors: dict[int, int] = {}
    parent_id, seen = status.in_reply_to_id, set()
    while parent_id is not None and parent_id not in seen and len(seen) < MAX_THREAD_DEPTH:
        seen.add(parent_id)
        row = db.session.execute(
            select(Status.account_id, Status.visibility, Status.in_reply_to_id).where(
                Status.id == parent_id
            )
        ).first()
        if row is None:
            break
        if row.visibility == Visibility.DIRECT:
            direct_authors[parent_id] = row.account_id
        parent_id = row.in_reply_to_id
    if not direct_authors:
        return set()
    mentioning = db.session.scalars(
        select(Mention.status_id).where(
            Mention.status_id.in_(list(direct_authors)),
            Mention.account_id == sender_id,
            or_(Mention.silent.is_(False), Mention.silent.is_(None)),
        )
    )
    return {direct_authors[s] for s in mentioning}
