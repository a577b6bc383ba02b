"""Bytes on the wire for an open stream: WebSocket frames (wsproto) or a Server-Sent Events body.

A framing turns outgoing text into bytes, turns incoming bytes into the client's text messages,
and says what to send to keep an idle connection alive. It holds no socket and no thread: the
hub's event loop owns both (fedi/hub/peer.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from wsproto import ConnectionState, WSConnection
from wsproto.connection import ConnectionType
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason


class Closed(Exception):
    """The connection is over: send `goodbye` (may be empty), then close the socket."""

    def __init__(self, goodbye: bytes = b"") -> None:
        super().__init__()
        self.goodbye = goodbye


class WebSocketFraming:
    """A server-side WebSocket after a handshake accepted by `handshake()`."""

    def __init__(self, ws: WSConnection, *, max_message_bytes: int, ping_interval: float) -> None:
        self.ws = ws
        self.max_message_bytes = max_message_bytes
        self.keepalive_interval = ping_interval
        self.partial: list[str] = []
        self.partial_size = 0
        self.awaiting_pong = False

    @classmethod
    def handshake(
        cls, environ: Mapping[str, object], subprotocol: str | None, **options: float
    ) -> tuple[WebSocketFraming, bytes]:
        """Accept the upgrade request in `environ`; the framing and the 101 response to send."""
        ws = WSConnection(ConnectionType.SERVER)
        ws.receive_data(_request_head(environ))
        if not any(isinstance(event, Request) for event in ws.events()):
            raise ValueError("not a WebSocket upgrade request")
        # Compression without a kept context: an idle stream holds no zlib state (~256 KiB).
        deflate = PerMessageDeflate(server_no_context_takeover=True)
        accept = AcceptConnection(subprotocol=subprotocol, extensions=[deflate])
        return cls(ws, **options), ws.send(accept)  # type: ignore[arg-type]

    def frame(self, text: str) -> bytes:
        if self.ws.state is not ConnectionState.OPEN:
            return b""
        return self.ws.send(TextMessage(data=text))

    def received(self, data: bytes) -> tuple[list[str], bytes]:
        """The complete text messages in `data`, and bytes to answer at once (pongs).
        Raises Closed when the client closes, sends binary data or an over-long message."""
        self.ws.receive_data(data)
        messages: list[str] = []
        answer = b""
        for event in self.ws.events():
            if isinstance(event, TextMessage):
                self.partial.append(event.data)
                self.partial_size += len(event.data)
                if self.partial_size > self.max_message_bytes:
                    raise Closed(answer + self.closing(CloseReason.MESSAGE_TOO_BIG, "Too big"))
                if event.message_finished:
                    messages.append("".join(self.partial))
                    self.partial, self.partial_size = [], 0
            elif isinstance(event, BytesMessage):
                reason = "Binary messages are not supported"
                raise Closed(answer + self.closing(CloseReason.UNSUPPORTED_DATA, reason))
            elif isinstance(event, Ping):
                answer += self.ws.send(event.response())
            elif isinstance(event, Pong):
                self.awaiting_pong = False
            elif isinstance(event, CloseConnection):
                reply = self.ws.send(event.response()) if self._may_send_close() else b""
                raise Closed(answer + reply)
        return messages, answer

    def keepalive(self) -> bytes:
        """A ping; Closed when the previous one went unanswered."""
        if self.awaiting_pong:
            raise Closed(self.closing(CloseReason.POLICY_VIOLATION, "Ping timeout"))
        self.awaiting_pong = True
        return self.ws.send(Ping()) if self.ws.state is ConnectionState.OPEN else b""

    def closing(self, code: int = CloseReason.NORMAL_CLOSURE, reason: str = "") -> bytes:
        if not self._may_send_close():
            return b""
        return self.ws.send(CloseConnection(code=code, reason=reason or None))

    def _may_send_close(self) -> bool:
        return self.ws.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING)


class EventStreamFraming:
    """A `text/event-stream` body in chunked transfer coding; the client sends nothing."""

    def __init__(self, *, heartbeat: float) -> None:
        self.keepalive_interval = heartbeat

    @staticmethod
    def head(status: str, headers: list[tuple[str, str]]) -> bytes:
        """The HTTP response head, from the headers the application prepared."""
        skip = {"content-length", "transfer-encoding", "connection"}
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() not in skip]
        lines += ["Transfer-Encoding: chunked", "Connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1")

    def frame(self, text: str) -> bytes:
        data = text.encode()
        return b"%x\r\n%s\r\n" % (len(data), data) if data else b""

    def received(self, data: bytes) -> tuple[list[str], bytes]:
        return [], b""

    def keepalive(self) -> bytes:
        return self.frame(":thump\n")

    def closing(self, code: int = 0, reason: str = "") -> bytes:
        return b"0\r\n\r\n"


def _request_head(environ: Mapping[str, object]) -> bytes:
    """The request's head as the client sent it, rebuilt from the WSGI environ for wsproto."""
    path = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "") or (
        str(environ.get("PATH_INFO", "/"))
        + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
    )
    lines = [f"GET {path} HTTP/1.1"]
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            lines.append(f"{key[5:].replace('_', '-')}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
