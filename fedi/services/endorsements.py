"""Endorsements: accounts someone features on their profile (Mastodon's account pins)."""

from __future__ import annotations

from sqlalchemy import delete, select

from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import Account, AccountPin
from fedi.services import relations
from fedi.services.pagination import PageParams


def endorse(*, account: Account, target: Account) -> AccountPin:
    """Feature an account you follow (again: nothing changes)."""
    row = db.session.scalar(
        select(AccountPin).where(
            AccountPin.account_id == account.id, AccountPin.target_account_id == target.id
        )
    )
    if row is not None:
        return row
    if not relations.is_following(account.id, target.id):
        raise Unprocessable(
            "Validation failed: You must be already following the person you want to endorse"
        )
    row = AccountPin(account_id=account.id, target_account_id=target.id)
    db.session.add(row)
    db.session.commit()
    return row


def unendorse(*, account: Account, target: Account) -> None:
    db.session.execute(
        delete(AccountPin).where(
            AccountPin.account_id == account.id, AccountPin.target_account_id == target.id
        )
    )
    db.session.commit()


def endorsed_page(account: Account, page: PageParams) -> list[tuple[int, Account]]:
    """(pin id, endorsed account) pairs, newest first, paged by pin id."""
    query = (
        select(AccountPin.id, Account)
        .join(Account, Account.id == AccountPin.target_account_id)
        .where(AccountPin.account_id == account.id, Account.suspended_at.is_(None))
    )
    rows = db.session.execute(page.apply(query, AccountPin.id)).all()
    return [(pin_id, acc) for pin_id, acc in page.finish(rows)]
