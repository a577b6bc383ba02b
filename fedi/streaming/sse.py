"""Server-Sent Events streaming: `GET /api/v1/streaming/<stream>` and the health check.

Framing as Mastodon's streaming server writes it: a `:)` comment once the subscription is live,
`event: <name>` / `data: <payload>` pairs, and a `:thump` comment every 15 s on an idle stream.
Errors answer JSON `{"error": ...}` (400 unknown stream or missing parameter, 401 token or scope).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Blueprint, Response, request, stream_with_context

from fedi.api.json import json_response
from fedi.extensions import db
from fedi.streaming import streams
from fedi.streaming.streams import Connection, RequestError, StreamError

HEARTBEAT_SECONDS = 15.0
PATHS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": "list",
    "direct": "direct",
}
MEDIA_VARIANTS = {"public", "public:local", "public:remote"}
FALSE_VALUES = {"0", "f", "F", "false", "FALSE", "off", "OFF"}

bp = Blueprint("streaming_sse", __name__, url_prefix="/api/v1/streaming")


@bp.get("/health")
def health() -> Response:
    return Response("OK", mimetype="text/plain")


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def stream(path: str) -> Response:
    name = _stream_name(path.strip("/"))
    try:
        if name is None:
            raise RequestError("Unknown channel requested")
        viewer = streams.authenticate(streams.token_value())
        streams.check_scopes(viewer, name)
        conn = _open(viewer, name)
    except StreamError as err:
        return json_response({"error": err.message}, err.status)
    finally:
        db.session.remove()
    response = Response(stream_with_context(_events(conn)), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _stream_name(path: str) -> str | None:
    name = PATHS.get(path)
    only_media = request.args.get("only_media", "")
    if name in MEDIA_VARIANTS and only_media and only_media not in FALSE_VALUES:
        return f"{name}:media"
    return name


def _open(viewer: streams.Viewer, name: str) -> Connection:
    conn = Connection(viewer)
    try:
        conn.subscribe(name, request.args.to_dict())
    except BaseException:
        conn.close()
        raise
    return conn


def _events(conn: Connection) -> Iterator[str]:
    try:
        yield ":)\n"
        beat = time.monotonic() + HEARTBEAT_SECONDS
        while not conn.closed:
            for frame in conn.poll(max(beat - time.monotonic(), 0.0)):
                yield frame.sse()
            if time.monotonic() >= beat:
                yield ":thump\n"
                beat = time.monotonic() + HEARTBEAT_SECONDS
    finally:
        conn.close()
