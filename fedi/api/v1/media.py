"""Media attachments, as Mastodon's Api::V1::MediaController: upload (POST /api/v1/media,
deprecated for /api/v2/media), read, describe and delete one's own uploads before a status takes
them. Every route needs `write:media` (Mastodon asks for it even to read).

A file is processed by a worker, never here (services/media_uploads.py). Mastodon's v1 upload
answers with the finished file, so this one waits for the worker (reading the row, up to
V1_WAIT seconds): 200 with its URLs, 422 when processing failed, or 202 with `url` null, as
v2 answers, should the worker take longer. GET and PUT answer 206 while a file is processing.
The optional `thumbnail` part is a custom preview (a video's poster, an audio file's cover),
on upload and on PUT."""

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
V1_WAIT = 30.0  # seconds, under the web server's timeout


def _status(media: MediaAttachment) -> int:
    """206 while a file is still processing (GET/PUT), as Mastodon."""
    return 200 if media.processing == ProcessingState.DONE else 206


def _thumbnail() -> bytes | None:
    file = params().file("thumbnail")
    return file.read() if file is not None else None


def upload_from_request() -> MediaAttachment:
    """The upload this request carries (`file`, `thumbnail`, `description`, `focus`), stored
    and queued for processing."""
    p = params()
    file = p.file("file")
    if file is None:
        raise Unprocessable("Validation failed: File can't be blank")
    upload = media_uploads.Upload(
        data=file.read(),
        filename=file.filename or "",
        description=p.str("description") or "",
        focus=p.get("focus"),
        thumbnail=_thumbnail(),
    )
    return media_uploads.upload(account=current_account(), upload=upload)


def created(media: MediaAttachment):
    """The answer to an upload: 200 when processed, 202 while processing, 422 when it failed."""
    if media.processing == ProcessingState.FAILED:
        raise Unprocessable(media_uploads.PROCESSING_FAILED)
    done = media.processing == ProcessingState.DONE
    return json_response(entities.media_attachment(media), status=200 if done else 202)


@bp.post("")
@require_oauth(SCOPE)
def create():
    return created(media_uploads.wait(upload_from_request(), V1_WAIT))


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
        thumbnail=_thumbnail(),
    )
    return json_response(entities.media_attachment(media), status=_status(media))


@bp.delete("/<int:media_id>")
@require_oauth(SCOPE)
def destroy(media_id: int):
    media_uploads.delete(media_id=media_id, account=current_account())
    return json_response({})
