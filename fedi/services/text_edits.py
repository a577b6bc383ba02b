"""Editing only the words of a status (the web UI's edit page): text and content warning
change, while media, sensitivity and language stay as they are."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, MediaAttachment, Status
from fedi.services import status_edits


def edit_text(*, status: Status, by: Account, text: str, spoiler_text: str) -> Status:
    media_ids = db.session.scalars(
        select(MediaAttachment.id)
        .where(MediaAttachment.status_id == status.id)
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )
    return status_edits.edit_status(
        status=status, by=by, text=text, spoiler_text=spoiler_text,
        sensitive=status.sensitive or None, language=status.language,
        media_ids=[str(i) for i in media_ids],
    )  # fmt: skip
