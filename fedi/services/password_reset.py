"""Forgotten passwords: a single-use link by e-mail (or the log, without SMTP), valid for two
hours; setting the new password ends every session, token and open stream of the account
(services/sessions.end_all), as changing it from the settings does for all but that browser."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from fedi import urls
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import User, utcnow
from fedi.services import accounts, mail, sessions, throttles

VALID_FOR = timedelta(hours=2)


def _digest(token: str) -> str:
    """Only a digest is stored, so a leaked database row cannot reset a password."""
    return hashlib.sha256(token.encode()).hexdigest()


INVALID_LINK = "This password reset link is not valid or has expired."


def request_reset(email: str, *, client_address: str | None = None) -> None:
    """Send a reset link if the address belongs to a user; say nothing either way. Requests
    count against the e-mail's and the client's budgets (services/throttles.py), whether or
    not the address is known: past them, TooManyRequests."""
    email = (email or "").strip().lower()
    throttles.take(throttles.password_reset(email, client_address), throttles.RESET)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or user.disabled:
        return
    token = secrets.token_urlsafe(32)
    user.reset_password_token = _digest(token)
    user.reset_password_sent_at = utcnow()
    db.session.commit()
    link = f"{urls.base_url()}/auth/password/edit?token={token}"
    mail.send(
        to=user.email, subject="Reset your password",
        body=f"Someone asked to reset the password of @{user.account.username}.\n"
        f"Follow this link within two hours to choose a new one:\n\n{link}\n\n"
        "If it was not you, ignore this message.",
    )  # fmt: skip


def find_by_token(token: str) -> User:
    if not token:
        raise NotFound(INVALID_LINK)
    user = db.session.scalar(select(User).where(User.reset_password_token == _digest(token)))
    if user is None or user.reset_password_sent_at is None:
        raise NotFound(INVALID_LINK)
    if utcnow() - user.reset_password_sent_at > VALID_FOR:
        raise NotFound(INVALID_LINK)
    return user


def reset(*, token: str, password: str) -> User:
    user = find_by_token(token)
    user.password_hash = generate_password_hash(accounts.validate_password(password))
    sessions.end_all(user)  # commits; the link is used up with every other way in
    return user


def change(*, user: User, current: str, new: str, keep_session: int | None = None) -> User:
    """Change a known password; every session (but `keep_session`, the browser changing it),
    token and open stream of the account ends."""
    if not check_password_hash(user.password_hash, current or ""):
        raise Unprocessable("Validation failed: Current password is invalid")
    user.password_hash = generate_password_hash(accounts.validate_password(new))
    sessions.end_all(user, keep=keep_session)  # commits
    return user
