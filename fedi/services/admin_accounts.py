"""Finding accounts for moderators (Mastodon's AccountFilter: the admin API's v1 and v2 filters
and the admin accounts page), one account's moderation summary, and moderators' notes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id, parse_id
from fedi.models import (
    Account,
    AccountModerationNote,
    Report,
    Role,
    Status,
    User,
    WebSession,
)
from fedi.services import audit_log
from fedi.services.pagination import PageParams
from fedi.services.staff import Permission, require

ORIGINS = ("local", "remote")
STATUSES = ("active", "pending", "disabled", "silenced", "suspended", "sensitized")
MAX_NOTE = 2000


@dataclass(frozen=True)
class AccountQuery:
    """Mastodon's AccountFilter keys (empty: not filtered)."""

    origin: str = ""
    status: str = ""
    roles: tuple[Role, ...] = ()
    username: str = ""
    display_name: str = ""
    by_domain: str = ""
    email: str = ""
    ip: str = ""
    invited_by: str = ""
    nobody: bool = False  # a filter that nobody can match (roles that do not exist)


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _status(query, status: str):
    pending = User.approved.is_(False) & User.disabled.is_(False)
    if status == "active":
        return query.where(Account.suspended_at.is_(None))
    if status == "pending":
        return query.where(pending, Account.suspended_at.is_(None))
    if status == "disabled":
        return query.where(User.disabled.is_(True), Account.suspended_at.is_(None))
    if status == "silenced":
        return query.where(Account.silenced_at.is_not(None))
    if status == "suspended":
        return query.where(Account.suspended_at.is_not(None))
    if status == "sensitized":
        return query.where(Account.sensitized_at.is_not(None))
    raise Unprocessable(f"Unknown status: {status}")


def _ip(query, value: str):
    """The sign-up address or any browser session's, equal to an address or inside a network
    given as CIDR."""
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return query.where(False)
    if network.num_addresses == 1:
        address = str(network.network_address)
        used = exists().where(WebSession.user_id == User.id, WebSession.address == address)
        return query.where(or_(User.sign_up_ip == address, used))
    candidates = set(
        db.session.scalars(select(User.sign_up_ip).where(User.sign_up_ip.is_not(None)))
    )
    candidates |= set(db.session.scalars(select(WebSession.address).distinct()))
    inside = []
    for raw in candidates:
        try:
            if ipaddress.ip_address(raw) in network:
                inside.append(raw)
        except ValueError:
            continue
    used = exists().where(WebSession.user_id == User.id, WebSession.address.in_(inside))
    return query.where(or_(User.sign_up_ip.in_(inside), used))


def _filtered(q: AccountQuery):
    query = select(Account).outerjoin(User, User.account_id == Account.id)
    # The instance actor (a local account without a login) is nobody to moderate.
    query = query.where(or_(Account.domain.is_not(None), User.id.is_not(None)))
    if q.origin == "local":
        query = query.where(Account.domain.is_(None))
    elif q.origin == "remote":
        query = query.where(Account.domain.is_not(None))
    elif q.origin:
        raise Unprocessable(f"Unknown origin: {q.origin}")
    if q.status:
        query = _status(query, q.status)
    if q.roles:
        query = query.where(User.role.in_(q.roles))
    if q.username.strip():
        query = query.where(func.lower(Account.username).like(_like(q.username.strip()), "\\"))
    if q.display_name.strip():
        name = _like(q.display_name.strip())
        query = query.where(func.lower(Account.display_name).like(name, "\\"))
    if q.by_domain.strip():
        query = query.where(func.lower(Account.domain) == q.by_domain.strip().lower())
    if q.email.strip():
        query = query.where(User.email.like(_like(q.email.strip()), "\\"))
    if q.ip.strip():
        query = _ip(query, q.ip)
    if q.invited_by or q.nobody:
        query = query.where(False)  # there are no invites here: nobody was invited
    return query


def search(q: AccountQuery, page: PageParams, *, by: Account) -> list[Account]:
    """A page of accounts matching `q`, newest first, their logins loaded."""
    require(by, Permission.MANAGE_USERS)
    query = page.apply(_filtered(q), Account.id).options(joinedload(Account.user))
    return page.finish(list(db.session.scalars(query).unique()))


def get(account_id: Any, *, by: Account) -> Account:
    require(by, Permission.MANAGE_USERS)
    wanted = parse_id(account_id)
    account = (
        db.session.get(Account, wanted, options=[joinedload(Account.user)])
        if wanted is not None
        else None
    )
    if account is None or (account.local and account.user is None):
        raise NotFound("Record not found")
    return account


def recent_statuses(target: Account, limit: int = 20) -> list[Status]:
    """The account's latest posts (deleted ones too: moderators see what was there)."""
    return list(
        db.session.scalars(
            select(Status)
            .where(Status.account_id == target.id, Status.reblog_of_id.is_(None))
            .order_by(Status.id.desc())
            .limit(limit)
        )
    )


def reports_about(target: Account, limit: int = 50) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.target_account_id == target.id)
            .options(joinedload(Report.account))
            .order_by(Report.id.desc())
            .limit(limit)
        )
    )


def notes(target: Account) -> list[AccountModerationNote]:
    return list(
        db.session.scalars(
            select(AccountModerationNote)
            .where(AccountModerationNote.target_account_id == target.id)
            .options(joinedload(AccountModerationNote.account))
            .order_by(AccountModerationNote.id)
        )
    )


def add_note(target: Account, content: str, *, by: Account) -> AccountModerationNote:
    require(by, Permission.MANAGE_USERS)
    content = (content or "").strip()
    if not content:
        raise Unprocessable("Validation failed: Content can't be blank")
    if len(content) > MAX_NOTE:
        raise Unprocessable(f"Validation failed: Content is too long (at most {MAX_NOTE})")
    note = AccountModerationNote(
        id=new_id(), account_id=by.id, target_account_id=target.id, content=content
    )
    db.session.add(note)
    audit_log.record(by, "create", "AccountModerationNote", note.id, f"@{target.acct}")
    db.session.commit()
    return note


def delete_note(target: Account, note_id: Any, *, by: Account) -> None:
    require(by, Permission.MANAGE_USERS)
    wanted = parse_id(note_id)
    note = db.session.get(AccountModerationNote, wanted) if wanted is not None else None
    if note is None or note.target_account_id != target.id:
        raise NotFound("Record not found")
    audit_log.record(by, "destroy", "AccountModerationNote", note.id, f"@{target.acct}")
    db.session.delete(note)
    db.session.commit()
