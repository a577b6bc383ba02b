"""Media attachments, as Mastodon's Api::V1::MediaController: upload (POST /api/v1/media,
deprecated for /api/v2/media), read, describe and delete one's own uploads before a status takes
them. Every route needs `write:media` (Mastodon asks for it even to read). Images are processed
while the request waits, so an upload answers 200 with its final URLs.

A `thumbnail` part is accepted and ignored: it is a custom preview for audio and video, which
are not accepted yet."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities
from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.errors import Unprocessable
from fedi.http.json import json_response
from fedi.models import MediaAttachment, ProcessingState
from fedi.services import media_uploads

bp = Blueprint("api_v1_media", __name__, url_prefix="/api/v1/media")
SCOPE = "write:media"


def _status(media: MediaAttachment) -> int:
    """206 while a file is still processing (GET/PUT), as Mastodon; images never are."""
    return 200 if media.processing == ProcessingState.DONE else 206


def upload_from_request() -> MediaAttachment:
    """The upload this request carries (`file`, `description`, `focus`), stored."""
    p = params()
    file = p.file("file")
    if file is None:
        raise Unprocessable("Validation failed: File can't be blank")
    upload = media_uploads.Upload(
        data=file.read(),
        filename=file.filename or "",
        description=p.str("description") or "",
        focus=p.get("focus"),
    )
    return media_uploads.upload(account=current_account(), upload=upload)


@bp.post("")
@require_oauth(SCOPE)
def create():
    return json_response(entities.media_attachment(upload_from_request()))


@bp.get("/<int:media_id>")
@require_oauth(SCOPE)
def show(media_id: int):
    media = media_uploads.get_unattached(media_id, current_account())
    return json_response(entities.media_attachment(media), status=_status(media))


@bp.put("/<int:media_id>")
@require_oauth(SCOPE)
def update(media_id: int):
    p = params()
    media = media_uploads.update(
        media=media_uploads.get_unattached(media_id, current_account()),
        description=p.str("description"),
        focus=p.get("focus"),
    )
    return json_response(entities.media_attachment(media), status=_status(media))


@bp.delete("/<int:media_id>")
@require_oauth(SCOPE)
def destroy(media_id: int):
    media_uploads.delete(media_id=media_id, account=current_account())
    return json_response({})
