"""How the viewer relates to other accounts (Mastodon's Relationship), private notes on accounts,
and familiar followers. Everything is computed for many accounts at once with a fixed number of
queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from fedi.extensions import db
from fedi.models import (
    Account,
    AccountDomainBlock,
    AccountNote,
    AccountPin,
    Block,
    Follow,
    FollowRequest,
    Mute,
    as_account_id,
    utcnow,
)
from fedi.services import accounts

MAX_NOTE = 2000


@dataclass
class Relationship:
    id: int
    following: bool = False
    showing_reblogs: bool = False
    notifying: bool = False
    languages: list[str] | None = None
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    muting_notifications: bool = False
    requested: bool = False
    requested_by: bool = False
    domain_blocking: bool = False
    endorsed: bool = False
    note: str = ""


def _options(rel: Relationship, row: Follow | FollowRequest) -> None:
    rel.showing_reblogs = row.show_reblogs
    rel.notifying = row.notify
    rel.languages = row.languages


def _follows(viewer_id: int, ids: list[int], by_id: dict[int, Relationship]) -> None:
    for row in db.session.scalars(
        select(Follow).where(Follow.account_id == viewer_id, Follow.target_account_id.in_(ids))
    ):
        by_id[row.target_account_id].following = True
        _options(by_id[row.target_account_id], row)
    for account_id in db.session.scalars(
        select(Follow.account_id).where(
            Follow.target_account_id == viewer_id, Follow.account_id.in_(ids)
        )
    ):
        by_id[account_id].followed_by = True


def _requests(viewer_id: int, ids: list[int], by_id: dict[int, Relationship]) -> None:
    for row in db.session.scalars(
        select(FollowRequest).where(
            or_(
                (FollowRequest.account_id == viewer_id) & FollowRequest.target_account_id.in_(ids),
                (FollowRequest.target_account_id == viewer_id) & FollowRequest.account_id.in_(ids),
            )
        )
    ):
        if row.account_id == viewer_id and row.target_account_id in by_id:
            rel = by_id[row.target_account_id]
            rel.requested = True
            if not rel.following:
                _options(rel, row)
        if row.target_account_id == viewer_id and row.account_id in by_id:
            by_id[row.account_id].requested_by = True


def _blocks_and_mutes(viewer_id: int, ids: list[int], by_id: dict[int, Relationship]) -> None:
    for account_id, target_id in db.session.execute(
        select(Block.account_id, Block.target_account_id).where(
            or_(
                (Block.account_id == viewer_id) & Block.target_account_id.in_(ids),
                (Block.target_account_id == viewer_id) & Block.account_id.in_(ids),
            )
        )
    ):
        if account_id == viewer_id and target_id in by_id:
            by_id[target_id].blocking = True
        if target_id == viewer_id and account_id in by_id:
            by_id[account_id].blocked_by = True
    for target_id, hide in db.session.execute(
        select(Mute.target_account_id, Mute.hide_notifications).where(
            Mute.account_id == viewer_id,
            Mute.target_account_id.in_(ids),
            or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()),
        )
    ):
        by_id[target_id].muting = True
        by_id[target_id].muting_notifications = hide


def _domains(viewer_id: int, domains: dict[int, str], by_id: dict[int, Relationship]) -> None:
    wanted = {d.lower() for d in domains.values()}
    if not wanted:
        return
    blocked = set(
        db.session.scalars(
            select(AccountDomainBlock.domain).where(
                AccountDomainBlock.account_id == viewer_id, AccountDomainBlock.domain.in_(wanted)
            )
        )
    )
    for account_id, domain in domains.items():
        by_id[account_id].domain_blocking = domain.lower() in blocked


def _pins_and_notes(viewer_id: int, ids: list[int], by_id: dict[int, Relationship]) -> None:
    for target_id in db.session.scalars(
        select(AccountPin.target_account_id).where(
            AccountPin.account_id == viewer_id, AccountPin.target_account_id.in_(ids)
        )
    ):
        by_id[target_id].endorsed = True
    for target_id, comment in db.session.execute(
        select(AccountNote.target_account_id, AccountNote.comment).where(
            AccountNote.account_id == viewer_id, AccountNote.target_account_id.in_(ids)
        )
    ):
        by_id[target_id].note = comment


def relationships(
    viewer: Account | int, account_ids: Iterable[int], *, with_suspended: bool = False
) -> list[Relationship]:
    """The viewer's (or the viewer id's) relationship to each existing account, in the order
    asked (9 queries at most, however many accounts)."""
    viewer_id = as_account_id(viewer)
    wanted = list(dict.fromkeys(account_ids))
    if not wanted:
        return []
    query = select(Account.id, Account.domain).where(Account.id.in_(wanted))
    if not with_suspended:
        query = query.where(Account.suspended_at.is_(None))
    found = {row.id: row.domain for row in db.session.execute(query)}
    ids = [i for i in wanted if i in found]
    if not ids:
        return []
    by_id = {i: Relationship(id=i) for i in ids}
    _follows(viewer_id, ids, by_id)
    _requests(viewer_id, ids, by_id)
    _blocks_and_mutes(viewer_id, ids, by_id)
    _domains(viewer_id, {i: d for i, d in found.items() if d}, by_id)
    _pins_and_notes(viewer_id, ids, by_id)
    return [by_id[i] for i in ids]


def relationship(viewer: Account, target: Account) -> Relationship:
    return relationships(viewer, [target.id], with_suspended=True)[0]


def set_note(*, account: Account, target: Account, comment: str) -> None:
    """Keep a private note about `target`; an empty comment removes it."""
    comment = (comment or "").strip()
    if len(comment) > MAX_NOTE:
        raise accounts.too_long("comment", MAX_NOTE)
    row = db.session.scalar(
        select(AccountNote).where(
            AccountNote.account_id == account.id, AccountNote.target_account_id == target.id
        )
    )
    if not comment:
        if row is not None:
            db.session.execute(delete(AccountNote).where(AccountNote.id == row.id))
    elif row is None:
        db.session.add(
            AccountNote(account_id=account.id, target_account_id=target.id, comment=comment)
        )
    else:
        row.comment = comment
    db.session.commit()


def familiar_followers(viewer: Account, account_ids: Iterable[int]) -> list[tuple[int, list]]:
    """For each existing account, the accounts the viewer follows that follow it too; none for
    an account hiding its collections (3 queries)."""
    wanted = list(dict.fromkeys(account_ids))
    if not wanted:
        return []
    existing = dict(
        db.session.execute(
            select(Account.id, Account.hide_collections).where(
                Account.id.in_(wanted), Account.suspended_at.is_(None)
            )
        ).all()
    )
    found: dict[int, list[Account]] = {i: [] for i in wanted if i in existing}
    shown = [i for i in found if not existing[i]]
    if not shown:
        return list(found.items())
    followed_by_viewer = select(Follow.target_account_id).where(Follow.account_id == viewer.id)
    rows = db.session.scalars(
        select(Follow)
        .join(Account, Account.id == Follow.account_id)
        .where(
            Follow.target_account_id.in_(shown),
            Follow.account_id.in_(followed_by_viewer),
            Account.suspended_at.is_(None),
        )
        .order_by(Follow.id.desc())
        .options(selectinload(Follow.account))
    )
    for row in rows:
        found[row.target_account_id].append(row.account)
    return list(found.items())
