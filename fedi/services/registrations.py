"""Signing up through the web UI: registration mode, the new account, e-mail confirmation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from fedi import urls
from fedi.errors import Forbidden, NotFound
from fedi.extensions import db
from fedi.models import Account, User, utcnow
from fedi.services import accounts, mail


@dataclass(frozen=True)
class SignUp:
    account: Account
    mailed: bool  # False: no SMTP, so the link went to the log and the address counts as confirmed
    needs_approval: bool


def mode() -> str:
    return current_app.config["FEDI"].REGISTRATIONS_MODE


def register(
    *, username: str, email: str, password: str, agreement: bool, reason: str = "",
    locale: str = "en",
) -> SignUp:  # fmt: skip
    """Create a local account as REGISTRATIONS_MODE allows (approved: waits for a moderator and
    needs a reason), then send the confirmation link."""
    if mode() not in ("open", "approved"):
        raise Forbidden("Sign-ups are closed on this server.")
    reason = (reason or "").strip()
    valid = accounts._check_sign_up(
        username, email, password, agreement=agreement, reason=reason,
        reason_required=mode() == "approved",
    )  # fmt: skip
    account = accounts.new_local_account(
        **valid, approved=mode() == "open", confirmed=False, reason=reason, locale=locale
    )
    account.user.confirmation_token = secrets.token_urlsafe(32)
    db.session.commit()
    accounts._notify_staff_of_sign_up(account)
    mailed = _send_confirmation(account.user)
    if not mailed:
        account.user.confirmed_at = utcnow()
        db.session.commit()
    return SignUp(account=account, mailed=mailed, needs_approval=mode() == "approved")


def _send_confirmation(user: User) -> bool:
    link = f"{urls.base_url()}/auth/confirmation?token={user.confirmation_token}"
    body = f"Welcome, @{user.account.username}! Confirm your e-mail address:\n\n{link}\n"
    return mail.send(to=user.email, subject="Confirm your e-mail address", body=body)


def confirm(token: str) -> User:
    user = db.session.scalar(select(User).where(User.confirmation_token == (token or "-")))
    if user is None or not token:
        raise NotFound("This confirmation link is not valid.")
    user.confirmed_at = user.confirmed_at or utcnow()
    user.confirmation_token = None
    db.session.commit()
    return user
