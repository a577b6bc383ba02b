"""Signing up (the web form and the API's POST /api/v1/accounts), as REGISTRATIONS_MODE allows,
and e-mail confirmation: the link sent at sign-up, and sent again when asked.

A new login is unconfirmed until its link is followed; without SMTP the link goes to the log and
the address counts as confirmed at once (nobody could follow it). Sign-ups through the web form
and confirmation e-mails are throttled (services/throttles.py): per client address, and per
account (or e-mail address) for the e-mails. The admins' sign-up blocks apply to both ways in
(services/sign_up_blocks.py): a blocked client address is refused, a blocked e-mail domain or
address is a 422 on the e-mail, and an address or e-mail domain that requires approval makes
the new login wait for a moderator whatever the mode.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from fedi import urls
from fedi.errors import Forbidden, NotFound
from fedi.extensions import db
from fedi.models import Account, OAuthApplication, OAuthToken, User, utcnow
from fedi.services import accounts, mail, sign_up_blocks, throttles

OTHER_APPLICATION = (
    "This method is only available to the application the user originally signed-up with"
)
ALREADY_CONFIRMED = "This method is only available while the e-mail is awaiting confirmation"


@dataclass(frozen=True)
class SignUp:
    account: Account
    mailed: bool  # False: no SMTP, so the link went to the log and the address counts as confirmed
    needs_approval: bool


def mode() -> str:
    return current_app.config["FEDI"].REGISTRATIONS_MODE


def register(
    *, username: str, email: str, password: str, agreement: bool, reason: str = "",
    locale: str = "en", client_address: str | None = None,
) -> SignUp:  # fmt: skip
    """Create a local account through the web form as REGISTRATIONS_MODE allows (approved: waits
    for a moderator and needs a reason), then send the confirmation link. Every attempt counts
    against the client address's sign-up budget: past it, TooManyRequests."""
    if mode() not in ("open", "approved"):
        raise Forbidden("Sign-ups are closed on this server.")
    throttles.take(throttles.sign_up(client_address), throttles.SIGN_UP)
    if sign_up_blocks.sign_up_refused(client_address):
        raise Forbidden("Sign-ups from your network are not allowed on this server.")
    account = _new_account(
        username=username, email=email, password=password, agreement=agreement, reason=reason,
        locale=locale, client_address=client_address,
    )  # fmt: skip
    mailed = _confirm_by_mail(account.user)
    return SignUp(account=account, mailed=mailed, needs_approval=not account.user.approved)


def sign_up_through_app(
    *, application: OAuthApplication | None, username: str, email: str, password: str,
    agreement: bool, locale: str = "", reason: str = "", client_address: str | None = None,
) -> OAuthToken:  # fmt: skip
    """Register through an app (POST /api/v1/accounts; its rate limit is the API's): a token for
    the new user with the app's scopes, usable once the address is confirmed (and the login
    approved, in approved mode). The app is remembered: it alone may ask for the confirmation
    e-mail again."""
    if mode() not in ("open", "approved") or application is None:
        raise Forbidden("This action is not allowed")
    if sign_up_blocks.sign_up_refused(client_address):  # Mastodon's answer to a blocked address
        raise Forbidden("This action is not allowed")
    locale = (locale or "").strip()
    account = _new_account(
        username=username, email=email, password=password, agreement=agreement, reason=reason,
        locale=locale if accounts.LOCALE_RE.match(locale) else "en",
        client_address=client_address,
    )  # fmt: skip
    account.user.created_by_application_id = application.id
    token = OAuthToken(
        application_id=application.id, account=account,
        access_token=secrets.token_urlsafe(32), scopes=application.scopes,
    )  # fmt: skip
    db.session.add(token)
    db.session.commit()
    _confirm_by_mail(account.user)
    return token


def _new_account(
    *, username: str, email: str, password: str, agreement: bool, reason: str, locale: str,
    client_address: str | None = None,
) -> Account:  # fmt: skip
    reason = (reason or "").strip()
    valid = accounts._check_sign_up(
        username, email, password, agreement=agreement, reason=reason,
        reason_required=mode() == "approved",
    )  # fmt: skip
    verdict = sign_up_blocks.check_email(valid["email"], client_address)
    account = accounts.new_local_account(
        **valid, approved=mode() == "open" and not verdict.needs_approval, confirmed=False,
        reason=reason, locale=locale,
    )  # fmt: skip
    account.user.confirmation_token = secrets.token_urlsafe(32)
    account.user.sign_up_ip = (client_address or "")[:64] or None  # the admin's `ip` filter
    db.session.commit()
    accounts._notify_staff_of_sign_up(account)
    return account


def _confirm_by_mail(user: User) -> bool:
    """Send the sign-up's confirmation link (the first e-mail of the account's budget); without
    SMTP the address counts as confirmed."""
    throttles.count(throttles.confirmation(f"user:{user.id}", None))
    mailed = _send_confirmation(user)
    if not mailed:
        user.confirmed_at = utcnow()
        db.session.commit()
    return mailed


def _send_confirmation(user: User) -> bool:
    link = f"{urls.base_url()}/auth/confirmation?token={user.confirmation_token}"
    body = f"Welcome, @{user.account.username}! Confirm your e-mail address:\n\n{link}\n"
    return mail.send(to=user.email, subject="Confirm your e-mail address", body=body)


def _send_again(user: User) -> None:
    user.confirmation_token = secrets.token_urlsafe(32)  # the older link stops working
    db.session.commit()
    _send_confirmation(user)


def resend(email: str, *, client_address: str | None = None) -> None:
    """The web form: send the confirmation link again if an unconfirmed login uses this
    address; say nothing either way. Known address or not, every request counts against the
    account's (else the address's) and the client's budgets: past them, TooManyRequests."""
    email = (email or "").strip().lower()[:320]
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    who = f"user:{user.id}" if user is not None else f"email:{email}"
    throttles.take(throttles.confirmation(who, client_address), throttles.CONFIRMATION)
    if user is not None and user.confirmed_at is None and not user.disabled:
        _send_again(user)


def resend_through_app(
    *, user: User, application_id: int | None, email: str | None = None,
    client_address: str | None = None,
) -> None:  # fmt: skip
    """POST /api/v1/emails/confirmations: the link again, to a new address if `email` is given;
    only for the app the account signed up through, only while unconfirmed (Forbidden
    otherwise). Every request counts against the account's and the client's budgets."""
    throttles.take(
        throttles.confirmation(f"user:{user.id}", client_address), throttles.CONFIRMATION
    )
    if application_id is None or user.created_by_application_id != application_id:
        raise Forbidden(OTHER_APPLICATION)
    if user.confirmed_at is not None:
        raise Forbidden(ALREADY_CONFIRMED)
    if user.disabled or user.account.suspended_at is not None:
        raise Forbidden("Your login is currently disabled")
    if email is not None and email.strip().lower() != user.email:
        user.email = accounts.validate_email(email)
    _send_again(user)


def confirm(token: str) -> User:
    user = db.session.scalar(select(User).where(User.confirmation_token == (token or "-")))
    if user is None or not token:
        raise NotFound("This confirmation link is not valid.")
    user.confirmed_at = user.confirmed_at or utcnow()
    user.confirmation_token = None
    db.session.commit()
    return user
