"""The profile directory: discoverable accounts, recently active or newest first.

As Mastodon's: accounts that chose to be listed (`discoverable`), neither suspended nor limited
nor moved, local ones with an approved, confirmed and enabled login (so never the instance actor,
which has none); the `active` order lists only accounts that have posted. A signed-in viewer does
not see accounts they block, mute or are blocked by, nor those of domains they hide.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from fedi.extensions import db
from fedi.models import Account, AccountDomainBlock, Block, Mute, User, utcnow

ORDERS = ("active", "new")
DEFAULT_LIMIT = 40
MAX_LIMIT = 80


def _hidden_from(viewer: Account):
    v = viewer.id
    return (
        select(Block.target_account_id)
        .where(Block.account_id == v)
        .union(
            select(Block.account_id).where(Block.target_account_id == v),
            select(Mute.target_account_id).where(
                Mute.account_id == v, or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow())
            ),
        )
    )


def page(
    viewer: Account | None, *, order: str | None, local: bool, offset: int, limit: int
) -> list[Account]:
    """One page of the directory (`offset` rows skipped, at most `limit`)."""
    usable = and_(User.approved.is_(True), User.disabled.is_(False), User.confirmed_at.is_not(None))
    query = (
        select(Account)
        .outerjoin(User, User.account_id == Account.id)
        .where(
            Account.discoverable.is_(True),
            Account.suspended_at.is_(None),
            Account.silenced_at.is_(None),
            Account.moved_to_account_id.is_(None),
            or_(Account.domain.is_not(None), and_(User.id.is_not(None), usable)),
        )
    )
    if local:
        query = query.where(Account.domain.is_(None))
    if viewer is not None:
        query = query.where(Account.id.not_in(_hidden_from(viewer)))
        if not local:
            hidden_domains = select(AccountDomainBlock.domain).where(
                AccountDomainBlock.account_id == viewer.id
            )
            query = query.where(
                or_(Account.domain.is_(None), Account.domain.not_in(hidden_domains))
            )
    if order == "new":
        query = query.order_by(Account.id.desc())
    else:
        query = query.where(Account.last_status_at.is_not(None)).order_by(
            Account.last_status_at.desc(), Account.id.desc()
        )
    return list(db.session.scalars(query.offset(max(offset, 0)).limit(limit)))
