"""Facts about this instance: truthful usage numbers for the instance API and NodeInfo."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import distinct, func, select

from fedi.extensions import db
from fedi.models import Account, Status, User, utcnow


def user_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).join(Account, Account.id == User.account_id).where(
            Account.suspended_at.is_(None), User.approved.is_(True)
        )
    ) or 0  # fmt: skip


def local_status_count() -> int:
    return db.session.scalar(
        select(func.count(Status.id)).where(
            Status.local.is_(True), Status.deleted_at.is_(None), Status.reblog_of_id.is_(None)
        )
    ) or 0  # fmt: skip


def domain_count() -> int:
    return db.session.scalar(
        select(func.count(distinct(Account.domain))).where(Account.domain.is_not(None))
    ) or 0  # fmt: skip


def active_users(days: int) -> int:
    """Local users who posted or signed in within `days` days."""
    since = utcnow() - timedelta(days=days)
    posted = select(Status.account_id).where(Status.local.is_(True), Status.created_at >= since)
    return db.session.scalar(
        select(func.count(User.id)).where(
            (User.last_sign_in_at >= since) | User.account_id.in_(posted)
        )
    ) or 0  # fmt: skip


def contact_account() -> Account | None:
    from flask import current_app

    from fedi.services import accounts

    name = current_app.config["FEDI"].INSTANCE_CONTACT_USERNAME
    return accounts.find_local(name) if name else None
