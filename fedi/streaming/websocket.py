"""The WebSocket streaming endpoint, `/api/v1/streaming`, as Mastodon's streaming server has it.

The token comes from the `Authorization` header, the `access_token` parameter or the
`Sec-WebSocket-Protocol` header (whose first protocol is echoed back, as browsers require). A
missing or bad token refuses the upgrade with an HTTP 401 carrying `X-Error-Message`, before any
WebSocket exists; a refused subscription answers `{"error": ..., "status": ...}` and the
connection stays open. Clients subscribe with the `stream` parameter (plus `tag`, `list`) and with
`{"type": "subscribe" | "unsubscribe", "stream": ..., "tag": ..., "list": ...}` messages.
The server pings every 30 s and drops a client that did not answer the previous ping.

After the handshake the socket belongs to the streaming hub (fedi/hub): the request
thread is free again, and the session below runs on the hub's workers.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from flask import Blueprint, Response, request

from fedi.extensions import db
from fedi.hub.handoff import serve_websocket
from fedi.hub.peer import Peer
from fedi.hub.streams import StreamError, Viewer
from fedi.streaming import auth
from fedi.streaming.render import Frame
from fedi.streaming.session import FrameSession

MAX_MESSAGE_BYTES = 64 * 1024

log = logging.getLogger(__name__)
bp = Blueprint("streaming_websocket", __name__)


@bp.route("/api/v1/streaming", websocket=True)
@bp.route("/api/v1/streaming/<path:_path>", websocket=True)  # Mastodon ignores the path
def websocket(_path: str = ""):
    try:
        viewer = auth.authenticate(auth.token_value())
    except StreamError as err:
        return _refuse(err)
    finally:
        db.session.remove()
    initial = request.args.to_dict() if request.args.get("stream") else None
    return serve_websocket(
        lambda peer: StreamingSession(peer, viewer, initial),
        auth.offered_protocol(),
        max_message_bytes=MAX_MESSAGE_BYTES,
    )


def _refuse(err: StreamError) -> Response:
    response = Response(b"", status=err.status, mimetype="text/plain")
    response.headers["X-Error-Message"] = err.message
    return response


class StreamingSession(FrameSession):
    """One client's `/api/v1/streaming` WebSocket: streams subscribed by message."""

    def __init__(self, peer: Peer, viewer: Viewer, initial: dict[str, Any] | None) -> None:
        super().__init__(peer, viewer, Frame.websocket)
        self.initial = initial

    def opened(self) -> None:
        if self.initial is not None:
            self._subscribe(self.initial.get("stream"), self.initial)

    def message(self, text: str) -> None:
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
        if not isinstance(message, dict):
            return
        name = message.get("stream")
        if isinstance(name, list):
            name = name[0] if name else None
        params = {k: v for k, v in message.items() if k not in ("type", "stream")}
        if message.get("type") == "subscribe":
            self._subscribe(name, params)
        elif message.get("type") == "unsubscribe":
            try:
                self.conn.unsubscribe(name, params)
            except StreamError:
                self._send({"error": "Error unsubscribing from channel"})

    def _subscribe(self, name: Any, params: dict[str, Any]) -> None:
        try:
            self.conn.subscribe(name, params)
        except StreamError as err:
            self._send({"error": err.message, "status": err.status})

    def _send(self, body: dict[str, Any]) -> None:
        self.peer.send(orjson.dumps(body).decode())
