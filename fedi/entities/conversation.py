"""The Conversation entity: participants other than the viewer (or the viewer alone, for a
conversation with oneself), the last status and whether it is unread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.status import page_entities, status
from fedi.models import Account, AccountConversation
from fedi.services import conversations as service
from fedi.services import custom_emojis


def conversations(rows: Sequence[AccountConversation], viewer: Account) -> list[dict[str, Any]]:
    last, accounts = service.load_details(list(rows))
    ctx = page_entities(viewer, list(last.values()))
    emojis = custom_emojis.for_accounts(list(accounts.values()))
    out = []
    for row in rows:
        people = [accounts[i] for i in row.participant_account_ids if i in accounts]
        if not people and row.account_id in accounts:
            people = [accounts[row.account_id]]
        last_status = last.get(row.last_status_id)
        out.append(
            {
                "id": str(row.id),
                "unread": row.unread,
                "accounts": [
                    account_entity(a, emojis=custom_emojis.of_account(a, emojis)) for a in people
                ],
                "last_status": status(last_status, ctx) if last_status is not None else None,
            }
        )
    return out


def conversation(row: AccountConversation, viewer: Account) -> dict[str, Any]:
    return conversations([row], viewer)[0]
