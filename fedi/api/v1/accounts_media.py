"""Serving stored media files (avatars and headers, and any other file under MEDIA_ROOT) at
/media/<path>, the URLs the entities point at."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from fedi.services import media_store

bp = Blueprint("api_v1_accounts_media", __name__)

ONE_YEAR = 365 * 24 * 3600  # stored names are random and never reused


@bp.get("/media/<path:path>")
def serve(path: str):
    if path.endswith(".upload"):  # a file as uploaded, waiting for a worker: never served
        abort(404)
    response = send_from_directory(media_store.root(), path, max_age=ONE_YEAR)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
