"""Warnings (Mastodon's strikes, `AccountWarning`): every moderation action against an account
records one, with the moderator's text. A local user is told of it when the moderator asks
(`send_email_notification`): a `moderation_warning` notification, whose sender is the user
themselves as on Mastodon (it names no moderator), and an e-mail. The user reads their
warnings at /settings/warnings; staff see them on the account's admin page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fedi import urls
from fedi.errors import NotFound
from fedi.extensions import db
from fedi.ids import new_id, parse_id
from fedi.models import Account, AccountWarning, Notification, NotificationType, WarningAction
from fedi.services import mail

MAX_TEXT = 5000

# What the user is told each action means (the e-mail, the settings page).
EXPLANATIONS = {
    WarningAction.NONE: "A moderator sent you a warning.",
    WarningAction.DISABLE: "You can no longer sign in to your account.",
    WarningAction.MARK_STATUSES_AS_SENSITIVE: "Some of your posts have been marked as sensitive.",
    WarningAction.DELETE_STATUSES: "Some of your posts have been removed.",
    WarningAction.SENSITIVE: "Your media will be shown as sensitive from now on.",
    WarningAction.SILENCE: "Your account has been limited: only your followers see your posts.",
    WarningAction.SUSPEND: "Your account has been suspended.",
}


def strike(
    *, target: Account, by: Account, action: WarningAction, text: str,
    report_id: int | None, status_ids: list[int] | None = None,
) -> AccountWarning:  # fmt: skip
    """Add the warning (the caller's transaction commits it)."""
    warning = AccountWarning(
        id=new_id(), account_id=by.id, target_account_id=target.id, action=action,
        text=text, status_ids=list(status_ids or []), report_id=report_id,
    )  # fmt: skip
    db.session.add(warning)
    return warning


def notification_for(warning: AccountWarning) -> Notification:
    """The user's `moderation_warning` notification (added; the caller commits and publishes)."""
    row = Notification(
        id=new_id(), account_id=warning.target_account_id,
        from_account_id=warning.target_account_id, type=NotificationType.MODERATION_WARNING,
        account_warning_id=warning.id,
    )  # fmt: skip
    db.session.add(row)
    return row


def send_mail(warning: AccountWarning, target: Account) -> None:
    """The e-mail of a warning (in the log without SMTP)."""
    if target.user is None:
        return
    lines = [EXPLANATIONS[warning.action]]
    if warning.text:
        lines += ["", "The moderators' message:", "", warning.text]
    lines += ["", f"Your warnings: {urls.base_url()}/settings/warnings"]
    mail.send(
        to=target.user.email,
        subject=f"A moderation decision about @{target.username}",
        body="\n".join(lines) + "\n",
    )


def received(account: Account) -> list[AccountWarning]:
    """The warnings the account was sent, newest first (its settings page)."""
    return list(
        db.session.scalars(
            select(AccountWarning)
            .where(AccountWarning.target_account_id == account.id)
            .order_by(AccountWarning.id.desc())
            .limit(200)
        )
    )


def own(account: Account, warning_id: object) -> AccountWarning:
    """One of the account's own warnings (others' are not found)."""
    wanted = parse_id(warning_id)
    row = db.session.get(AccountWarning, wanted) if wanted is not None else None
    if row is None or row.target_account_id != account.id:
        raise NotFound("Record not found")
    return row


def about(target: Account) -> list[AccountWarning]:
    """The warnings sent to `target`, with who sent them (staff pages; the caller checked)."""
    return list(
        db.session.scalars(
            select(AccountWarning)
            .where(AccountWarning.target_account_id == target.id)
            .options(joinedload(AccountWarning.account))
            .order_by(AccountWarning.id.desc())
            .limit(100)
        )
    )
