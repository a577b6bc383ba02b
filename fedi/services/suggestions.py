"""Whom to follow: popular local accounts the viewer does not follow yet, minus dismissals."""

from __future__ import annotations

from sqlalchemy import or_, select

from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import (
    Account,
    Block,
    Follow,
    FollowRequest,
    Mute,
    SuggestionDismissal,
    User,
    utcnow,
)
from fedi.services.upsert import insert_ignore


def _excluded(viewer: Account):
    """Accounts never to suggest: followed, requested, dismissed, blocked either way, muted."""
    v = viewer.id
    dismissed = SuggestionDismissal
    return (
        select(Follow.target_account_id).where(Follow.account_id == v)
        .union(
            select(FollowRequest.target_account_id).where(FollowRequest.account_id == v),
            select(dismissed.target_account_id).where(dismissed.account_id == v),
            select(Block.target_account_id).where(Block.account_id == v),
            select(Block.account_id).where(Block.target_account_id == v),
            select(Mute.target_account_id).where(
                Mute.account_id == v, or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow())
            ),
        )
    )  # fmt: skip


def suggest(viewer: Account, *, limit: int) -> list[Account]:
    """The most followed discoverable local accounts with an active login, for `viewer`."""
    query = (
        select(Account)
        .join(User, User.account_id == Account.id)
        .where(
            Account.domain.is_(None),
            Account.id != viewer.id,
            Account.discoverable.is_(True),
            Account.suspended_at.is_(None),
            Account.silenced_at.is_(None),
            Account.moved_to_account_id.is_(None),
            User.approved.is_(True),
            User.disabled.is_(False),
            User.confirmed_at.is_not(None),
            Account.id.not_in(_excluded(viewer)),
        )
        .order_by(Account.followers_count.desc(), Account.statuses_count.desc(), Account.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def dismiss(viewer: Account, account_id) -> None:
    """Never suggest this account again; unknown ids are accepted and ignored, like Mastodon."""
    key = parse_id(account_id)
    target = db.session.get(Account, key) if key is not None else None
    if target is not None:
        db.session.execute(
            insert_ignore(
                SuggestionDismissal,
                [{"account_id": viewer.id, "target_account_id": target.id}],
                ["account_id", "target_account_id"],
            )
        )
    db.session.commit()
