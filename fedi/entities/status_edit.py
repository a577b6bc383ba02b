"""The StatusEdit entity: one revision of a status, for `GET /api/v1/statuses/:id/history`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.entities.media import media_attachment
from fedi.models import StatusEdit
from fedi.services import status_pages
from fedi.services.status_pages import RevisionPage


def status_edit(row: StatusEdit, page: RevisionPage) -> dict[str, Any]:
    """A pure function of the revision and the accounts and media loaded for the page; media
    show the description they had in that revision."""
    attachments = []
    for item in row.media or []:
        found = page.media.get(int(item.get("id", 0)))
        if found is not None:
            attachments.append({**media_attachment(found), "description": item.get("description")})
    body = {
        "content": row.content,
        "spoiler_text": row.spoiler_text,
        "sensitive": row.sensitive,
        "created_at": iso(row.created_at),
        "account": account_entity(page.accounts[row.account_id]),
        "media_attachments": attachments,
        "emojis": [],
    }
    if row.poll_options:
        body["poll"] = {"options": [{"title": title} for title in row.poll_options]}
    return body


def status_edits(rows: Sequence[StatusEdit]) -> list[dict[str, Any]]:
    """Revisions, with their editors and media loaded in one query each."""
    page = status_pages.load_revisions(rows)
    return [status_edit(r, page) for r in rows if r.account_id in page.accounts]
