"""POST /api/v2/media: Mastodon's current upload endpoint. It answers 202 with `url` null while a
file is processed in the background; images are processed while the request waits, so it
answers 200 with the finished attachment, as Mastodon does for small images."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities
from fedi.api.auth import require_oauth
from fedi.api.v1.media import SCOPE, upload_from_request
from fedi.http.json import json_response
from fedi.models import ProcessingState

bp = Blueprint("api_v2_media", __name__, url_prefix="/api/v2/media")


@bp.post("")
@require_oauth(SCOPE)
def create():
    media = upload_from_request()
    done = media.processing == ProcessingState.DONE
    return json_response(entities.media_attachment(media), status=200 if done else 202)
