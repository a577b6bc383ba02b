"""Taking a request's connection from the web server: the response that hands its socket to the
hub, and the WebSocket upgrade that ends in one."""

from __future__ import annotations

import errno
import logging
import os
import socket
import ssl
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, current_app, request

from fedi.hub.dispatch import current_hub
from fedi.hub.framing import WebSocketFraming
from fedi.hub.peer import Peer
from fedi.hub.session import Session

PING_INTERVAL = 30.0

log = logging.getLogger(__name__)


class Handoff(Response):
    """The response that turns the request's connection into a stream: `head` builds the first
    bytes (the 101 handshake, or an event-stream head from this response's own status and
    headers, so after-request hooks still apply), which are written before the socket goes to
    the hub. The web server then lets go of the connection without answering on it."""

    def __init__(self, peer: Peer, head: Callable[[Response], bytes]) -> None:
        super().__init__()
        self.peer = peer
        self.head = head

    def __call__(self, environ: Mapping[str, Any], start_response):  # type: ignore[override]
        sock = _take_socket(environ)
        if sock is None:
            self.peer.abandon()
            refusal = Response("Streaming needs a plain HTTP connection", 501)
            return refusal(environ, start_response)  # type: ignore[arg-type]
        try:
            sock.sendall(self.head(self))
        except OSError:
            sock.close()
            self.peer.abandon()
        else:
            self.peer.hub.attach(self.peer, sock)
            self.peer.start()
        if "gunicorn.socket" in environ:
            raise StopIteration()  # gunicorn: close the connection, write nothing
        start_response("101 Switching Protocols", [])  # werkzeug's writes fail quietly
        return []


def _take_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    """This request's socket, as a descriptor of our own. The server keeps its descriptor, but
    it now points at a closed socket pair: whatever it does next (write, shut down, drain,
    close) touches nothing of the client's connection."""
    server_sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if not isinstance(server_sock, socket.socket) or isinstance(server_sock, ssl.SSLSocket):
        return None
    try:
        stand_in, other = socket.socketpair()
    except OSError as err:
        log.warning("streaming: no socket pair (%s)", errno.errorcode.get(err.errno or 0))
        return None
    with stand_in, other:
        ours = server_sock.dup()
        os.dup2(stand_in.fileno(), server_sock.fileno())
    ours.setblocking(True)
    return ours


def serve_websocket(
    make_session: Callable[[Peer], Session],
    subprotocol: str | None = None,
    *,
    max_message_bytes: int,
    context: Callable[[], Any] | None = None,
) -> Response:
    """Accept this WebSocket upgrade and hand the connection to the hub, where the session made
    by `make_session` serves it; shared by the client API's streaming and the web UI's live
    timelines. The app config's `STREAMING_PING_INTERVAL` may shorten the pings (tests do). A
    malformed upgrade is refused with a 400 and an `X-Error-Message`."""
    try:
        framing, accept = WebSocketFraming.handshake(
            request.environ,
            subprotocol,
            max_message_bytes=max_message_bytes,
            ping_interval=current_app.config.get("STREAMING_PING_INTERVAL", PING_INTERVAL),
        )
    except Exception as err:  # a malformed upgrade request (wsproto: RemoteProtocolError)
        response = Response(b"", status=400, mimetype="text/plain")
        response.headers["X-Error-Message"] = f"Bad WebSocket handshake: {err}"
        return response
    peer = current_hub().peer(make_session, framing, context)
    return Handoff(peer, lambda _response: accept)
