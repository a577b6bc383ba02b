"""Direct-message conversations as each local participant sees them (Mastodon's
AccountConversation): one row per account, thread and set of other participants."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fedi.errors import NotFound
from fedi.events import bus, channels
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, AccountConversation, Mention, Status, Visibility
from fedi.services import relations, timelines
from fedi.services.pagination import PageParams
from fedi.services.upsert import insert_ignore


def _participants(status: Status) -> list[int]:
    mentioned = db.session.scalars(select(Mention.account_id).where(Mention.status_id == status.id))
    return sorted({status.account_id, *mentioned})


def _key(ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def _local_recipients(status: Status, everyone: list[int]) -> list[Account]:
    """The author, and the local participants who don't block, mute or domain-block it."""
    local = db.session.scalars(
        select(Account).where(Account.id.in_(everyone), Account.domain.is_(None))
    )
    author = status.account
    return [a for a in local if a.id == author.id or not relations.hides(a.id, author)]


def _row(account_id: int, status: Status, others: list[int]) -> AccountConversation:
    """The row for this account, thread and participants, created when new (race-safe)."""
    key = _key(others)
    values = {
        "account_id": account_id, "conversation_id": status.conversation_id,
        "participants_key": key, "participant_account_ids": others, "status_ids": [],
        "unread": False,
    }  # fmt: skip
    db.session.execute(
        insert_ignore(
            AccountConversation, [values], ["account_id", "conversation_id", "participants_key"]
        )
    )
    return db.session.scalars(
        select(AccountConversation)
        .where(
            AccountConversation.account_id == account_id,
            AccountConversation.conversation_id == status.conversation_id,
            AccountConversation.participants_key == key,
        )
        .with_for_update()
    ).one()


def record_direct_status(status: Status) -> list[AccountConversation]:
    """Add a new direct status to each local participant's conversation (unread for everyone but
    its author), then publish a `conversation` event on their direct streams."""
    if status.visibility != Visibility.DIRECT or status.conversation_id is None:
        return []
    everyone = _participants(status)
    changed = []
    for account in _local_recipients(status, everyone):
        row = _row(account.id, status, [i for i in everyone if i != account.id])
        if status.id in row.status_ids:
            continue
        row.status_ids = sorted([*row.status_ids, status.id])
        row.last_status_id = row.status_ids[-1]
        row.unread = status.account_id != account.id
        changed.append(row)
    db.session.commit()
    for row in changed:
        publish(row)
    return changed


def remove_direct_status(status: Status) -> None:
    """Take a deleted direct status out of its conversations; a conversation left without
    statuses goes away."""
    if status.visibility != Visibility.DIRECT or status.conversation_id is None:
        return
    everyone = _participants(status)
    keys = {_key([i for i in everyone if i != a]): a for a in everyone}
    rows = db.session.scalars(
        select(AccountConversation).where(
            AccountConversation.conversation_id == status.conversation_id,
            AccountConversation.participants_key.in_(list(keys)),
        )
    )
    for row in rows:
        if keys.get(row.participants_key) != row.account_id or status.id not in row.status_ids:
            continue
        remaining = [i for i in row.status_ids if i != status.id]
        if remaining:
            row.status_ids = remaining
            row.last_status_id = remaining[-1]
        else:
            db.session.delete(row)
    db.session.commit()


def publish(row: AccountConversation) -> None:
    bus.publish(
        channels.direct(row.account_id),
        {"event": "conversation", "conversation_id": str(row.id)},
    )


def get_owned(conversation_id, owner: Account) -> AccountConversation:
    key = parse_id(conversation_id)
    row = db.session.get(AccountConversation, key) if key is not None else None
    if row is None or row.account_id != owner.id:
        raise NotFound("Record not found")
    return row


def page(owner: Account, params: PageParams) -> list[AccountConversation]:
    """The owner's conversations, most recently active first, paged by their last status id."""
    query = select(AccountConversation).where(
        AccountConversation.account_id == owner.id,
        AccountConversation.last_status_id.is_not(None),
    )
    return params.finish(
        list(db.session.scalars(params.apply(query, AccountConversation.last_status_id)))
    )


def mark_read(row: AccountConversation) -> AccountConversation:
    row.unread = False
    db.session.commit()
    return row


def remove(row: AccountConversation) -> None:
    db.session.delete(row)
    db.session.commit()


def load_details(rows: list[AccountConversation]) -> tuple[dict[int, Status], dict[int, Account]]:
    """The last statuses and participant accounts of these conversations, in two batches."""
    statuses = {
        s.id: s for s in timelines.load([r.last_status_id for r in rows if r.last_status_id])
    }
    ids = {i for r in rows for i in r.participant_account_ids} | {r.account_id for r in rows}
    accounts = {
        a.id: a
        for a in db.session.scalars(
            select(Account).where(Account.id.in_(ids)).options(selectinload(Account.user))
        )
    } if ids else {}  # fmt: skip
    return statuses, accounts
