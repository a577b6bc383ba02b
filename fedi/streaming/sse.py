"""Server-Sent Events streaming: `GET /api/v1/streaming/<stream>` and the health check.

Framing as Mastodon's streaming server writes it: a `:)` comment once the subscription is live,
`event: <name>` / `data: <payload>` pairs, and a `:thump` comment every 15 s on an idle stream.
Errors answer JSON `{"error": ...}` (400 unknown stream or missing parameter, 401 token or scope).
Once subscribed, the response head is written and the socket goes to the streaming hub
(fedi/hub), which writes the events; the request thread is free again.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from fedi.extensions import db
from fedi.http.json import json_response
from fedi.hub import streams
from fedi.hub.dispatch import current_hub
from fedi.hub.framing import EventStreamFraming
from fedi.hub.handoff import Handoff
from fedi.hub.streams import RequestError, StreamError
from fedi.streaming import auth
from fedi.streaming.render import Frame
from fedi.streaming.session import FrameSession

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
    framing = EventStreamFraming(heartbeat=HEARTBEAT_SECONDS)
    try:
        if name is None:
            raise RequestError("Unknown channel requested")
        viewer = auth.authenticate(auth.token_value())
        streams.check_scopes(viewer, name)
        peer = current_hub().peer(lambda peer: FrameSession(peer, viewer, Frame.sse), framing)
        session = peer.session
        assert isinstance(session, FrameSession)
        try:
            session.conn.subscribe(name, request.args.to_dict())  # refusals answer here, in HTTP
        except BaseException:
            peer.abandon()
            raise
    except StreamError as err:
        return json_response({"error": err.message}, err.status)
    finally:
        db.session.remove()
    response = Handoff(peer, lambda final: _head(final, framing))
    response.mimetype = "text/event-stream"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _head(response: Response, framing: EventStreamFraming) -> bytes:
    """The response head (with what after-request hooks added), then the `:)` comment."""
    return framing.head(response.status, response.headers.to_wsgi_list()) + framing.frame(":)\n")


def _stream_name(path: str) -> str | None:
    name = PATHS.get(path)
    only_media = request.args.get("only_media", "")
    if name in MEDIA_VARIANTS and only_media and only_media not in FALSE_VALUES:
        return f"{name}:media"
    return name
