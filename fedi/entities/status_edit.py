"""The StatusEdit entity: one revision of a status, for `GET /api/v1/statuses/:id/history`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.entities.custom_emoji import custom_emoji
from fedi.entities.media import media_attachment
from fedi.models import StatusEdit
from fedi.services import custom_emojis, status_pages
from fedi.services.custom_emojis import EmojiMap
from fedi.services.status_pages import RevisionPage
from fedi.text.emoji import shortcodes


def status_edit(row: StatusEdit, page: RevisionPage, emojis: EmojiMap) -> dict[str, Any]:
    """A pure function of the revision and the accounts, media and custom emoji loaded for the
    page; media show the description they had in that revision."""
    editor = page.accounts[row.account_id]
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
        "account": account_entity(editor, emojis=custom_emojis.of_account(editor, emojis)),
        "media_attachments": attachments,
        "emojis": [
            custom_emoji(e)
            for e in custom_emojis.used(emojis, editor.domain, (row.content, row.spoiler_text))
        ],
    }
    if row.poll_options:
        body["poll"] = {"options": [{"title": title} for title in row.poll_options]}
    return body


def status_edits(rows: Sequence[StatusEdit]) -> list[dict[str, Any]]:
    """Revisions, with their editors, media and custom emoji loaded in one query each."""
    page = status_pages.load_revisions(rows)
    wanted = custom_emojis.wanted_by(accounts=list(page.accounts.values()))
    for row in rows:
        if row.account_id in page.accounts:
            domain = page.accounts[row.account_id].domain
            wanted[domain] |= shortcodes(row.content or "", row.spoiler_text or "")
    emojis = custom_emojis.lookup(wanted)
    return [status_edit(r, page, emojis) for r in rows if r.account_id in page.accounts]
