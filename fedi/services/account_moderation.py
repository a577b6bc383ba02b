"""Moderating accounts: Mastodon's account actions and their undos, for the admin pages, the admin
API and the CLI alike. Every function takes the staff account `by`, checks MANAGE_USERS, and
writes the audit log in the transaction of the change.

- `act`: none (a warning only), sensitive (the account's media shown as sensitive), disable
  (local logins: no sign-in, every session and token ended), silence (limited: hidden from public
  timelines and from the notifications of those who do not follow it), suspend. Each records a
  warning (services/account_warnings.py) that the user is told of when the moderator asks, and
  resolves the report it came from (any other action resolves every open report about the
  account too, as Mastodon does).
- Suspension keeps the account's data for `RETENTION` (30 days), then the periodic
  `purge_suspended_accounts` task deletes it (services/account_purge.py); until then
  `unsuspend` restores it. A local suspension ends every session and token and sends a Delete
  of the actor to every server that knows it; a remote one cuts its follows both ways.
- `enable`, `unsilence`, `unsensitive`, `unsuspend` undo; `approve` and `reject` decide a
  pending sign-up (services/sign_up_reviews.py); `delete_data` purges a suspended account's
  data now instead of after the retention.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select

from fedi import queue
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import (
    Account,
    FeedEntry,
    Notification,
    Report,
    User,
    WarningAction,
    utcnow,
)
from fedi.services import account_warnings, audit_log, follows, sessions, sign_up_reviews
from fedi.services.notifications import publish
from fedi.services.staff import Permission, can, require

RETENTION = timedelta(days=30)
TYPES = ("none", "disable", "sensitive", "silence", "suspend")
REMOTE_TYPES = ("sensitive", "silence", "suspend")  # a remote account has no login to warn


def _label(account: Account) -> str:
    return f"@{account.acct}"


def _report(report_id: Any, target: Account) -> Report | None:
    if report_id in (None, ""):
        return None
    wanted = parse_id(report_id)
    report = db.session.get(Report, wanted) if wanted is not None else None
    if report is None or report.target_account_id != target.id:
        raise NotFound("Record not found")
    return report


def _resolve_reports(target: Account, report: Report | None, type_: str, by: Account) -> None:
    """A warning alone resolves its own report; any other action every open one about the
    account (its moderation answered them all)."""
    if type_ == "none":
        reports = [report] if report is not None and report.action_taken_at is None else []
    else:
        reports = list(
            db.session.scalars(
                select(Report).where(
                    Report.target_account_id == target.id, Report.action_taken_at.is_(None)
                )
            )
        )
    for row in reports:
        row.action_taken_at = utcnow()
        row.action_taken_by_account_id = by.id
        audit_log.record(by, "resolve", "Report", row.id, f"report {row.id} on {_label(target)}")


def act(
    target: Account, *, by: Account, type_: str | None, text: str | None = None,
    report_id: Any = None, send_email_notification: bool = True,
) -> None:  # fmt: skip
    """Take one of Mastodon's account actions (`type_`: none, sensitive, disable, silence,
    suspend) against `target`, with an optional warning text, in one transaction."""
    require(by, Permission.MANAGE_USERS)
    if type_ not in TYPES:
        raise Unprocessable("Validation failed: Type is not included in the list")
    text = (text or "").strip()
    if len(text) > account_warnings.MAX_TEXT:
        raise Unprocessable("Validation failed: Text is too long")
    if not target.local and type_ not in REMOTE_TYPES:
        raise Forbidden("This action is not allowed")
    if target.local and target.user is None:
        raise Forbidden("This action is not allowed")  # the instance actor
    if target.id == by.id or (type_ != "none" and _outranks(target, by)):
        raise Forbidden("This action is not allowed")
    report = _report(report_id, target)
    now = utcnow()
    if type_ == "sensitive":
        target.sensitized_at = target.sensitized_at or now
    elif type_ == "silence":
        target.silenced_at = target.silenced_at or now
    elif type_ == "disable":
        target.user.disabled = True
    elif type_ == "suspend":
        if target.suspended_at is None or target.purge_after is None:
            target.purge_after = now + RETENTION
        target.suspended_at = target.suspended_at or now
        # Out of every home feed at once (unsuspending does not put the old posts back).
        db.session.execute(delete(FeedEntry).where(FeedEntry.author_id == target.id))
        if not target.local:
            follows.cut_off(target, select(Account.id).where(Account.id != target.id))
    if type_ != "none":
        audit_log.record(by, type_, "Account", target.id, _label(target), text=text or None)
    warning = account_warnings.strike(
        target=target, by=by, action=WarningAction(type_), text=text,
        report_id=report.id if report else None,
        status_ids=report.status_ids if report is not None else None,
    )  # fmt: skip
    if type_ == "none":
        audit_log.record(by, "warn", "Account", target.id, _label(target), text=text or None)
    _resolve_reports(target, report, type_, by)
    db.session.flush()
    told: list[Notification] = []
    if send_email_notification and target.local:
        told.append(account_warnings.notification_for(warning))
    if target.local and type_ in ("disable", "suspend"):
        sessions.end_all(target.user)  # commits, then closes the open streams
    else:
        db.session.commit()
    publish(told)
    if told:
        account_warnings.send_mail(warning, target)
    if type_ == "suspend" and target.local:
        queue.enqueue("federate_delete_actor", target.id)


def _outranks(target: Account, by: Account) -> bool:
    """Moderators do not act against admins (Mastodon's roles rank them)."""
    user = target.user
    return user is not None and user.role.value == "admin" and by.user.role.value != "admin"


def _undo(target: Account, by: Account, action: str) -> None:
    audit_log.record(by, action, "Account", target.id, _label(target))
    db.session.commit()


def unsilence(target: Account, *, by: Account) -> Account:
    require(by, Permission.MANAGE_USERS)
    if target.silenced_at is not None:
        target.silenced_at = None
        _undo(target, by, "unsilence")
    return target


def unsensitive(target: Account, *, by: Account) -> Account:
    require(by, Permission.MANAGE_USERS)
    if target.sensitized_at is not None:
        target.sensitized_at = None
        _undo(target, by, "unsensitive")
    return target


def _local_user(target: Account) -> User:
    if not target.local or target.user is None:
        raise Forbidden("This action is not allowed")
    return target.user


def enable(target: Account, *, by: Account) -> Account:
    require(by, Permission.MANAGE_USERS)
    user = _local_user(target)
    if user.disabled:
        user.disabled = False
        _undo(target, by, "enable")
    return target


def can_unsuspend(target: Account) -> bool:
    """Suspended by us and within the retention (not purged, not deleted at its origin)."""
    return target.suspended_at is not None and target.purge_after is not None


def undos(target: Account, *, by: Account) -> list[str]:
    """What `by` may undo or decide on the account now, in the order the page offers them."""
    user = target.user
    found = []
    if user is not None and not user.approved:
        found += ["approve", "reject"]
    if user is not None and user.disabled:
        found.append("enable")
    if target.silenced_at is not None:
        found.append("unsilence")
    if target.sensitized_at is not None:
        found.append("unsensitive")
    if can_unsuspend(target):
        found.append("unsuspend")
        if can(by, Permission.DELETE_USER_DATA):
            found.append("delete")
    return found


def unsuspend(target: Account, *, by: Account) -> Account:
    """Lift a suspension within the retention: everything kept comes back; a local account is
    announced again to the servers it federates with (Update of the actor)."""
    require(by, Permission.MANAGE_USERS)
    if target.suspended_at is None:
        return target
    if not can_unsuspend(target):
        raise Forbidden("This action is not allowed")
    target.suspended_at = None
    target.purge_after = None
    _undo(target, by, "unsuspend")
    if target.local:
        queue.enqueue("federate_profile", target.id)
    return target


def approve(target: Account, *, by: Account) -> Account:
    require(by, Permission.MANAGE_USERS)
    user = _local_user(target)
    if not user.approved:
        sign_up_reviews.approve(user_id=user.id, by=by)
    return target


def reject(target: Account, *, by: Account) -> None:
    """Reject a pending sign-up: its account is deleted (the username is free again)."""
    require(by, Permission.MANAGE_USERS)
    user = _local_user(target)
    if user.approved:
        raise Forbidden("This action is not allowed")
    sign_up_reviews.reject(user_id=user.id, by=by)


def delete_data(target: Account, *, by: Account) -> None:
    """Delete a suspended account's data now rather than at the end of the retention (Mastodon's
    DELETE /api/v1/admin/accounts/:id: only for accounts suspended and not purged yet; admins
    only, as Mastodon's delete_user_data permission)."""
    require(by, Permission.DELETE_USER_DATA)
    if not can_unsuspend(target):
        raise Forbidden("This action is not allowed")
    target.purge_after = utcnow()
    audit_log.record(by, "destroy", "Account", target.id, _label(target))
    db.session.commit()
    queue.enqueue("purge_suspended_account", target.id)


def find_by_handle(handle: str) -> Account | None:
    """USERNAME or USERNAME@DOMAIN (the CLI), suspended or not."""
    username, _, domain = (handle or "").lstrip("@").partition("@")
    if not username:
        return None
    query = select(Account).where(func.lower(Account.username) == username.lower())
    if domain:
        query = query.where(func.lower(Account.domain) == domain.lower())
    else:
        query = query.where(Account.domain.is_(None))
    return db.session.scalar(query.limit(1))
