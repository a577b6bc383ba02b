"""Blocks, mutes and per-user domain blocks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from fedi import hosts, queue
from fedi.errors import Forbidden, Unprocessable
from fedi.extensions import db
from fedi.models import (
    Account,
    AccountDomainBlock,
    Block,
    FeedEntry,
    Mute,
    Notification,
    utcnow,
)
from fedi.services import follows
from fedi.services.pagination import PageParams

MAX_DOMAIN = 255  # the column's size (a DNS name has at most 253 characters)
MAX_MUTE_SECONDS = 2**31 - 1  # about 68 years: longer is "until unmuted" (0)


def block(*, account: Account, target: Account) -> Block:
    """Block: both sides lose follows, and each other's posts leave their feeds."""
    if account.id == target.id:
        raise Forbidden("This action is not allowed")
    row = db.session.scalar(
        select(Block).where(Block.account_id == account.id, Block.target_account_id == target.id)
    )
    if row is None:
        row = Block(account_id=account.id, target_account_id=target.id)
        db.session.add(row)
        follows.sever(account.id, target.id)
        _drop_from_feed(account.id, target.id)
        _drop_from_feed(target.id, account.id)
        db.session.commit()
        queue.enqueue("federate_block", row.id)
    return row


def unblock(*, account: Account, target: Account) -> None:
    db.session.execute(
        delete(Block).where(Block.account_id == account.id, Block.target_account_id == target.id)
    )
    db.session.commit()
    queue.enqueue("federate_undo_block", account.id, target.id)


def mute(
    *, account: Account, target: Account, notifications: bool = True, duration: int = 0
) -> Mute:
    """Mute for `duration` seconds (0: until unmuted); their posts leave the home feed."""
    if account.id == target.id:
        raise Forbidden("This action is not allowed")
    if duration < 0:
        raise Unprocessable("Validation failed: Duration must be positive")
    if duration > MAX_MUTE_SECONDS:
        raise Unprocessable(
            f"Validation failed: Duration must be less than or equal to {MAX_MUTE_SECONDS}"
        )
    row = db.session.scalar(
        select(Mute).where(Mute.account_id == account.id, Mute.target_account_id == target.id)
    )
    if row is None:
        row = Mute(account_id=account.id, target_account_id=target.id)
        db.session.add(row)
    row.hide_notifications = notifications
    row.expires_at = utcnow() + timedelta(seconds=duration) if duration else None
    _drop_from_feed(account.id, target.id)
    db.session.commit()
    return row


def unmute(*, account: Account, target: Account) -> None:
    db.session.execute(
        delete(Mute).where(Mute.account_id == account.id, Mute.target_account_id == target.id)
    )
    db.session.commit()


def block_domain(*, account: Account, domain: str) -> AccountDomainBlock:
    """Hide a whole domain: its posts leave the feed, its notifications go, and follows and
    follow requests with its accounts end, both ways."""
    given = (domain or "").strip().lower().rstrip(".")
    if not given or "/" in given:
        raise Unprocessable("Validation failed: Domain can't be blank")
    domain = _domain(given)
    if not domain:
        raise Unprocessable("Validation failed: Domain is invalid")
    row = db.session.scalar(
        select(AccountDomainBlock).where(
            AccountDomainBlock.account_id == account.id, AccountDomainBlock.domain == domain
        )
    )
    if row is None:
        row = AccountDomainBlock(account_id=account.id, domain=domain)
        db.session.add(row)
        authors = select(Account.id).where(func.lower(Account.domain) == domain)
        db.session.execute(
            delete(FeedEntry).where(
                FeedEntry.account_id == account.id, FeedEntry.author_id.in_(authors)
            )
        )
        follows.cut_off(account, authors)
        db.session.execute(
            delete(Notification).where(
                Notification.account_id == account.id, Notification.from_account_id.in_(authors)
            )
        )
        db.session.commit()
    return row


def _domain(given: str) -> str:
    """The domain in the form accounts store it (punycode, with a port if not the default), or
    "" when it cannot be one (an unclosed IPv6 bracket, longer than a domain can be)."""
    domain = hosts.normalize_host(given)
    return domain if len(domain) <= MAX_DOMAIN else ""


def unblock_domain(*, account: Account, domain: str) -> None:
    db.session.execute(
        delete(AccountDomainBlock).where(
            AccountDomainBlock.account_id == account.id,
            AccountDomainBlock.domain == _domain((domain or "").strip().lower().rstrip(".")),
        )
    )
    db.session.commit()


def blocks_page(account: Account, page: PageParams) -> list[tuple[int, Account]]:
    """(block id, blocked account) pairs, newest first, paged by block id."""
    query = (
        select(Block.id, Account)
        .join(Account, Account.id == Block.target_account_id)
        .where(Block.account_id == account.id)
    )
    return [(i, a) for i, a in page.finish(db.session.execute(page.apply(query, Block.id)).all())]


def mutes_page(account: Account, page: PageParams) -> list[tuple[Mute, Account]]:
    """(mute, muted account) pairs for mutes still in force, newest first, paged by mute id."""
    query = (
        select(Mute, Account)
        .join(Account, Account.id == Mute.target_account_id)
        .where(
            Mute.account_id == account.id,
            or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()),
        )
    )
    return [(m, a) for m, a in page.finish(db.session.execute(page.apply(query, Mute.id)).all())]


def domain_blocks_page(account: Account, page: PageParams) -> list[AccountDomainBlock]:
    query = select(AccountDomainBlock).where(AccountDomainBlock.account_id == account.id)
    return page.finish(list(db.session.scalars(page.apply(query, AccountDomainBlock.id))))


def _drop_from_feed(account_id: int, author_id: int) -> None:
    db.session.execute(
        delete(FeedEntry).where(
            FeedEntry.account_id == account_id, FeedEntry.author_id == author_id
        )
    )
