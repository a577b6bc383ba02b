"""Read-side relationship checks shared by every use case (one place for the rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select

from fedi.extensions import db
from fedi.models import Account, AccountDomainBlock, Block, Follow, Mute, utcnow


def is_following(follower_id: int, target_id: int) -> bool:
    return _exists(Follow, follower_id, target_id)


def following_clause(follower_id: Any, target_id: Any):
    """SQL `EXISTS` for is_following, to fold into a bigger query (ids or bound parameters)."""
    follow = Follow.__table__.c
    return exists().where(follow.account_id == follower_id, follow.target_account_id == target_id)


def is_blocking(account_id: int, target_id: int) -> bool:
    return _exists(Block, account_id, target_id)


def blocks_either_way(a_id: int, b_id: int) -> bool:
    return bool(db.session.scalar(select(blocks_either_way_clause(a_id, b_id))))


def blocks_either_way_clause(a_id: Any, b_id: Any):
    """SQL `EXISTS` for blocks_either_way, to fold into a bigger query (ids or bound
    parameters)."""
    block = Block.__table__.c
    return exists().where(
        or_(
            (block.account_id == a_id) & (block.target_account_id == b_id),
            (block.account_id == b_id) & (block.target_account_id == a_id),
        )
    )


def is_muting(account_id: int, target_id: int) -> bool:
    return (
        db.session.scalar(
            select(Mute.id).where(
                Mute.account_id == account_id,
                Mute.target_account_id == target_id,
                or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()),
            )
        )
        is not None
    )


def is_domain_blocking(account_id: int, domain: str | None) -> bool:
    if domain is None:
        return False
    return (
        db.session.scalar(
            select(AccountDomainBlock.id).where(
                AccountDomainBlock.account_id == account_id,
                AccountDomainBlock.domain == domain.lower(),
            )
        )
        is not None
    )


def hides(viewer_id: int, author: Account) -> bool:
    """Whether the viewer chose not to see this author at all (block, mute or domain block)."""
    return (
        blocks_either_way(viewer_id, author.id)
        or is_muting(viewer_id, author.id)
        or is_domain_blocking(viewer_id, author.domain)
    )


def hidden_authors(viewer_id: Any, now: Any = None) -> Select:
    """A subquery of account ids the viewer never wants in timelines (blocked, blocking, muted).
    `viewer_id` and `now` (default: the current time) may be values or bound parameters; the
    subquery uses table columns, so it keeps a Core statement Core."""
    block, mute = Block.__table__.c, Mute.__table__.c
    now = utcnow() if now is None else now
    blocked = select(block.target_account_id).where(block.account_id == viewer_id)
    blocking = select(block.account_id).where(block.target_account_id == viewer_id)
    muted = select(mute.target_account_id).where(
        mute.account_id == viewer_id, or_(mute.expires_at.is_(None), mute.expires_at > now)
    )
    return blocked.union(blocking, muted)


def _exists(model, account_id: int, target_id: int) -> bool:
    return (
        db.session.scalar(
            select(model.id).where(
                model.account_id == account_id, model.target_account_id == target_id
            )
        )
        is not None
    )
