"""POST /api/v2/media: Mastodon's current upload endpoint. It answers 202 with `url` null while a
worker processes the file (the client polls GET /api/v1/media/:id: 206, then 200). Mastodon
processes still images while the request waits and answers 200; here a worker does, and the
request waits for it up to IMAGE_WAIT seconds (reading the row only) before answering 202."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import require_oauth
from fedi.api.v1.media import SCOPE, created, upload_from_request
from fedi.services import media_uploads

bp = Blueprint("api_v2_media", __name__, url_prefix="/api/v2/media")
IMAGE_WAIT = 2.0  # seconds


@bp.post("")
@require_oauth(SCOPE)
def create():
    media = upload_from_request()
    if media_uploads.is_still_image(media):
        media = media_uploads.wait(media, IMAGE_WAIT)
    return created(media)
