"""The StatusEdit entity: one revision of a status, for `GET /api/v1/statuses/:id/history`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.entities.media import media_attachment
from fedi.extensions import db
from fedi.models import Account, MediaAttachment, StatusEdit


def status_edit(
    row: StatusEdit, accounts: dict[int, Account], media: dict[int, MediaAttachment]
) -> dict[str, Any]:
    """A pure function of the revision and the accounts and media loaded for the page; media
    show the description they had in that revision."""
    attachments = []
    for item in row.media or []:
        found = media.get(int(item.get("id", 0)))
        if found is not None:
            attachments.append({**media_attachment(found), "description": item.get("description")})
    return {
        "content": row.content,
        "spoiler_text": row.spoiler_text,
        "sensitive": row.sensitive,
        "created_at": iso(row.created_at),
        "account": account_entity(accounts[row.account_id]),
        "media_attachments": attachments,
        "emojis": [],
    }


def status_edits(rows: Sequence[StatusEdit]) -> list[dict[str, Any]]:
    """Revisions, with their editors and media loaded in one query each."""
    account_ids = {r.account_id for r in rows}
    media_ids = {int(m["id"]) for r in rows for m in (r.media or []) if m.get("id")}
    accounts = {
        a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(account_ids)))
    }
    media = (
        {
            m.id: m
            for m in db.session.scalars(
                select(MediaAttachment).where(MediaAttachment.id.in_(media_ids))
            )
        }
        if media_ids
        else {}
    )
    return [status_edit(r, accounts, media) for r in rows if r.account_id in accounts]
