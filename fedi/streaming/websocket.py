"""The WebSocket streaming endpoint, `/api/v1/streaming`, as Mastodon's streaming server has it.

The token comes from the `Authorization` header, the `access_token` parameter or the
`Sec-WebSocket-Protocol` header (whose first protocol is echoed back, as browsers require). A
missing or bad token refuses the upgrade with an HTTP 401 carrying `X-Error-Message`, before any
WebSocket exists; a refused subscription answers `{"error": ..., "status": ...}` and the
connection stays open. Clients subscribe with the `stream` parameter (plus `tag`, `list`) and with
`{"type": "subscribe" | "unsubscribe", "stream": ..., "tag": ..., "list": ...}` messages.
The server pings every 30 s and drops a client that did not answer the previous ping.

The handshake is flask-sock's (simple-websocket's `Server`, its `SOCK_SERVER_OPTIONS`), done here
after authentication: flask-sock's own route decorator upgrades before the view could refuse.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, request
from simple_websocket import ConnectionClosed, Server
from wsproto.frame_protocol import CloseReason

from fedi.extensions import db
from fedi.streaming import streams
from fedi.streaming.streams import Connection, StreamError, Viewer

PING_INTERVAL = 30.0
MAX_MESSAGE_BYTES = 64 * 1024
# The loop waits for bus events and looks at client messages between waits: briefly while the
# client is talking (subscriptions usually come in a burst after connecting), else once a second.
EAGER_POLL = 0.05
IDLE_POLL = 1.0
EAGER_SECONDS = 5.0

log = logging.getLogger(__name__)
bp = Blueprint("streaming_websocket", __name__)


@bp.route("/api/v1/streaming", websocket=True)
@bp.route("/api/v1/streaming/<path:_path>", websocket=True)  # Mastodon ignores the path
def websocket(_path: str = ""):
    try:
        viewer = streams.authenticate(streams.token_value())
    except StreamError as err:
        return _refuse(err)
    finally:
        db.session.remove()
    protocol = streams.offered_protocol()
    return serve(lambda ws: _session(ws, viewer), subprotocols=[protocol] if protocol else None)


def serve(session: Callable[[Server], None], **server_options: Any) -> Response:
    """Upgrade this request to a WebSocket and run `session` on it until either side closes;
    shared by the client API's streaming and the web UI's live timelines. A StreamError ends
    the session quietly; anything else is logged and closes with 1011 (clients reconnect)."""
    options = {
        "ping_interval": PING_INTERVAL,
        "max_message_size": MAX_MESSAGE_BYTES,
        **current_app.config.get("SOCK_SERVER_OPTIONS", {}),
        **server_options,
    }
    ws = Server(request.environ, **options)
    try:
        session(ws)
    except ConnectionClosed:
        pass
    except StreamError as err:
        log.info("stream refused: %s", err.message)
    except Exception:  # the HTTP exchange is over: log, close the socket, answer nothing
        log.exception("WebSocket session failed")
        with suppress(Exception):
            ws.close(CloseReason.INTERNAL_ERROR, "Internal error")
    finally:
        with suppress(Exception):
            ws.close()
    return _Upgraded(ws.mode)


def _refuse(err: StreamError) -> Response:
    response = Response(b"", status=err.status, mimetype="text/plain")
    response.headers["X-Error-Message"] = err.message
    return response


class _Upgraded(Response):
    """The socket belongs to the WebSocket now: keep the server from answering on it
    (flask-sock's convention for each server)."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def __call__(self, environ, start_response):
        if self.mode == "gunicorn":
            raise StopIteration()
        if self.mode == "werkzeug":
            return super().__call__(environ, start_response)
        return []


def _session(ws: Server, viewer: Viewer) -> None:
    conn = Connection(viewer)
    try:
        if request.args.get("stream"):
            _subscribe(ws, conn, request.args.get("stream"), request.args.to_dict())
        eager_until = time.monotonic() + EAGER_SECONDS
        while not conn.closed:
            if _read_messages(ws, conn):
                eager_until = time.monotonic() + EAGER_SECONDS
            eager = time.monotonic() < eager_until
            for frame in conn.poll(EAGER_POLL if eager else IDLE_POLL):
                ws.send(frame.websocket())
    finally:
        conn.close()


def _read_messages(ws: Server, conn: Connection) -> bool:
    """Handle every message the client has sent so far; whether there was any."""
    got = False
    while (data := ws.receive(timeout=0)) is not None:
        got = True
        if not isinstance(data, str):
            ws.close(CloseReason.UNSUPPORTED_DATA, "Binary messages are not supported")
            raise ConnectionClosed(CloseReason.UNSUPPORTED_DATA)
        _handle(ws, conn, data)
    return got


def _handle(ws: Server, conn: Connection, text: str) -> None:
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
        _subscribe(ws, conn, name, params)
    elif message.get("type") == "unsubscribe":
        try:
            conn.unsubscribe(name, params)
        except StreamError:
            ws.send(orjson.dumps({"error": "Error unsubscribing from channel"}).decode())


def _subscribe(ws: Server, conn: Connection, name: Any, params: dict[str, Any]) -> None:
    try:
        conn.subscribe(name, params)
    except StreamError as err:
        ws.send(orjson.dumps({"error": err.message, "status": err.status}).decode())
