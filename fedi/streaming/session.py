"""The hub session behind both streaming endpoints: Mastodon streams over a `Connection`, each
frame sent as a WebSocket message or Server-Sent Events text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fedi.events import bus
from fedi.hub.peer import Peer
from fedi.hub.session import Session
from fedi.hub.streams import Connection, Viewer
from fedi.streaming import render


class FrameSession(Session):
    """A hub session serving Mastodon streams over a `Connection`: each frame is sent as
    `encode(frame)` (a WebSocket message or Server-Sent Events text)."""

    def __init__(self, peer: Peer, viewer: Viewer, encode: Callable[[render.Frame], str]) -> None:
        self.peer = peer
        self.encode = encode
        self.conn = Connection(viewer, peer.channels, render.frames)

    def event(self, channel: str, event: bus.Event, shared: dict[Any, Any]) -> None:
        for frame in self.conn.handle(channel, event, shared):
            self.peer.send(self.encode(frame))
        if self.conn.closed:
            self.peer.close()

    def closed(self) -> None:
        self.conn.close()
