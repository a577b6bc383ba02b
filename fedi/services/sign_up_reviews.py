"""Reviewing sign-ups when REGISTRATIONS_MODE is `approved`: a new user waits (`approved` false,
no sign-in) until a moderator or admin approves them, or rejects them, which deletes the account
as Mastodon does (the username is free again). The user hears of an approval by e-mail (in the
log without SMTP); a pending user who signs in with the right password is told they are waiting.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from fedi import urls
from fedi.errors import NotFound
from fedi.extensions import db
from fedi.models import Account, User
from fedi.services import accounts, audit_log, mail
from fedi.services.staff import Permission, require

PAGE = 100


def _require_staff(by: Account) -> None:
    require(by, Permission.MANAGE_USERS)


def pending(*, by: Account, limit: int = PAGE) -> list[User]:
    """Users awaiting approval, oldest first, with their accounts (reason: `sign_up_reason`)."""
    _require_staff(by)
    query = (
        select(User)
        .join(Account, Account.id == User.account_id)
        .where(User.approved.is_(False), User.disabled.is_(False), Account.suspended_at.is_(None))
        .options(joinedload(User.account))
        .order_by(User.created_at, User.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _pending_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.approved:
        raise NotFound("Record not found")
    return user


def approve(*, user_id: int, by: Account) -> User:
    """Let the user sign in, and tell them."""
    _require_staff(by)
    user = _pending_user(user_id)
    user.approved = True
    audit_log.record(by, "approve", "Account", user.account_id, f"@{user.account.username}")
    db.session.commit()
    mail.send(
        to=user.email,
        subject="Your account has been approved",
        body=f"Welcome, @{user.account.username}! You can sign in now: "
        f"{urls.base_url()}/auth/sign_in\n",
    )
    return user


def reject(*, user_id: int, by: Account) -> str:
    """Delete the pending user and their account (nothing else refers to it yet but what
    cascades: the staff's sign-up notifications, an app's token); returns the username."""
    _require_staff(by)
    user = _pending_user(user_id)
    username, account_id = user.account.username, user.account_id
    audit_log.record(by, "reject", "Account", account_id, f"@{username}", email=user.email)
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.execute(delete(Account).where(Account.id == account_id))
    db.session.commit()
    db.session.expire_all()
    return username


def awaiting_approval(*, login: str, password: str) -> bool:
    """Whether these credentials are right but belong to a user still awaiting approval (the
    sign-in form says so instead of "invalid password"; wrong passwords learn nothing)."""
    login = (login or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == login))
    if user is None and "@" not in login:
        account = accounts.find_local(login)
        user = account.user if account else None
    if user is None or user.approved or user.disabled:
        return False
    return check_password_hash(user.password_hash, password or "")
