"""Bus events -> Mastodon frames for one viewer.

What of an event reaches the viewer's streams is decided below the faces (fedi/hub/viewing.py:
visibility, blocks, mutes, domain blocks, mentions, media-only and list filters); here what passes
is rendered as the viewer would see it through the REST API. One event is rendered at most once
per viewer, however many of the viewer's streams carry it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import orjson

from fedi.entities.conversation import conversation as render_conversation
from fedi.entities.notification import render as render_notifications
from fedi.entities.status import one as render_status
from fedi.hub import viewing
from fedi.hub.viewing import STATUS_UPDATES, Viewing

if TYPE_CHECKING:
    from fedi.hub.streams import Stream


@dataclass(frozen=True)
class Frame:
    stream: list[Any]
    event: str
    payload: str | None  # a JSON document or a bare id, as a string; None: no payload
    ref: str | None = None  # the status it is about

    def websocket(self) -> str:
        body: dict[str, Any] = {"stream": self.stream, "event": self.event}
        if self.payload is not None:
            body["payload"] = self.payload
        return orjson.dumps(body).decode()

    def sse(self) -> str:
        data = "undefined" if self.payload is None else self.payload
        return f"event: {self.event}\ndata: {data}\n\n"


def frames(
    viewer_id: int,
    channel: str,
    event: dict[str, Any],
    streams: Iterable[Stream],
    shared: dict[Any, Any] | None = None,
) -> list[tuple[Stream, Frame]]:
    """The frames one bus event makes on the viewer's `streams` (those listening on `channel`).

    `shared` is a dict that every stream of this process receiving this same event shares: each
    viewer's rendering is kept there, so it is made once however many streams (tabs, devices)
    the viewer has open, as Mastodon renders a status once per recipient.
    """
    seen = viewing.of(viewer_id, event, shared)
    fresh = _Payloads(seen)
    payloads = fresh if shared is None else shared.setdefault(("payloads", viewer_id), fresh)
    out = []
    with seen.lock:  # another stream of this viewer may be rendering it right now
        for stream, delivery in viewing.passing(seen, channel, streams):
            payload = payloads.payload(delivery.event)
            if payload is not DROP:
                out.append((stream, Frame(stream.label, delivery.event, payload, delivery.ref)))
    return out


DROP = object()


class _Payloads:
    """The payloads of one bus event for one viewer, from what their `Viewing` loaded
    (memoized across the viewer's streams, like it)."""

    def __init__(self, seen: Viewing) -> None:
        self.seen = seen

    def payload(self, name: str) -> Any:
        if name in STATUS_UPDATES:
            return self._status
        if name == "delete":
            return str(self.seen.event.get("status_id") or "")
        if name == "notification":
            return self._notification or DROP
        if name == "conversation":
            return self._conversation
        return None  # filters_changed

    @cached_property
    def _status(self) -> str:
        return orjson.dumps(render_status(self.seen.status, self.seen.viewer)).decode()

    @cached_property
    def _notification(self) -> str | None:
        rendered = render_notifications([self.seen.notification], self.seen.viewer)
        return orjson.dumps(rendered[0]).decode() if rendered else None

    @cached_property
    def _conversation(self) -> str:
        return orjson.dumps(render_conversation(self.seen.conversation, self.seen.viewer)).decode()
