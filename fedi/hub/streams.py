"""Mastodon's streams: who may open them, which bus channels carry them, and the state of one
open connection; shared by the streaming API (fedi/streaming: WebSocket and Server-Sent Events)
and the web UI's live timelines (fedi/web/live.py). What of each event reaches the viewer is
decided in fedi/hub/viewing.py.

Every stream needs a valid user token (Mastodon's streaming server has no anonymous access);
public and hashtag streams need no particular scope, the others `read` or `read:statuses`
(`user:notification`: `read` or `read:notifications`). Media-only and list streams are derived
from the channels the fan-out already publishes on: the public channels filtered for media, and the
owner's home channel filtered for the list's members (plus the list's own channel).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from fedi.events import bus, channels
from fedi.extensions import db
from fedi.hub import viewing
from fedi.ids import parse_id
from fedi.models import List
from fedi.services import scopes as scopes_mod
from fedi.text.parse import normalize_tag

PUBLIC_STREAMS = frozenset(
    {"public", "public:media", "public:local", "public:local:media", "public:remote",
     "public:remote:media", "hashtag", "hashtag:local"}
)  # fmt: skip
STATUS_EVENTS = frozenset({"update", "status.update", "delete"})
NOTIFICATION_EVENTS = frozenset({"notification"})
USER_EVENTS = STATUS_EVENTS | NOTIFICATION_EVENTS | {"filters_changed"}
DIRECT_EVENTS = frozenset({"conversation", "delete"})
ONCE_EVENTS = frozenset({"update", "delete"})  # one per status, whichever channel brings it
log = logging.getLogger(__name__)


class StreamError(Exception):
    """A refused connection or subscription: `status` and `message` as Mastodon reports them."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestError(StreamError):
    status = 400


class AuthenticationError(StreamError):
    status = 401


# What one bus event makes on a viewer's streams (those listening on the channel): (viewer id,
# channel, event, streams, shared) -> [(stream, what it gets: anything with `event` and `ref`)].
Render = Callable[
    [int, str, bus.Event, Iterable["Stream"], dict[Any, Any] | None],
    list[tuple["Stream", Any]],
]


@dataclass(frozen=True)
class Viewer:
    """Who a stream serves: an OAuth token's account (the streaming API), or the account of a
    browser session (`web_session_id`, the web UI's live timelines; `token_id` is 0)."""

    account_id: int
    token_id: int
    scopes: frozenset[str]
    web_session_id: int | None = None

    def may(self, scope: str) -> bool:
        return scopes_mod.covers(self.scopes, scope)

    @property
    def credential_channel(self) -> str:
        """Where the end of what the stream was opened with is announced (`kill`)."""
        if self.web_session_id is not None:
            return channels.web_session(self.web_session_id)
        return channels.access_token(self.token_id)


@dataclass(eq=False)
class Stream:
    """One subscription: `routes` maps each bus channel to the events taken from it."""

    name: str
    label: list[Any]  # the frame's "stream": ["hashtag", "wren"]
    routes: dict[str, frozenset[str]]
    filtered: bool = False  # public and hashtag: drop what the viewer hides (author or mentions)
    without_replies: bool = False  # public timelines: no replies to other accounts
    only_media: bool = False
    list_id: int | None = None
    recent: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=256))

    @property
    def key(self) -> tuple[str, ...]:
        return (self.name, *sorted(self.routes))

    def first_time(self, event: str, ref: str | None) -> bool:
        """False for a second `update`/`delete` of one status (a stream fed by two channels)."""
        if len(self.routes) < 2 or event not in ONCE_EVENTS or ref is None:
            return True
        key = (event, ref)
        if key in self.recent:
            return False
        self.recent.append(key)
        return True


def check_scopes(viewer: Viewer, name: Any) -> None:
    if isinstance(name, str) and name in PUBLIC_STREAMS:
        return
    needed = "read:notifications" if name == "user:notification" else "read:statuses"
    if not viewer.may(needed):
        raise AuthenticationError("Access token does not have the required scopes")


# --- stream name -> channels ----------------------------------------------------------------


def _param(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def _user(viewer: Viewer, _params: Mapping[str, Any]) -> Stream:
    events = USER_EVENTS if viewer.may("read:notifications") else USER_EVENTS - NOTIFICATION_EVENTS
    return Stream("user", ["user"], {channels.user(viewer.account_id): events})


def _notifications(viewer: Viewer, _params: Mapping[str, Any]) -> Stream:
    routes = {channels.user(viewer.account_id): NOTIFICATION_EVENTS}
    return Stream("user:notification", ["user:notification"], routes)


def _public(name: str, channel: str, *, only_media: bool = False):
    def build(_viewer: Viewer, _params: Mapping[str, Any]) -> Stream:
        routes = {channel: STATUS_EVENTS}
        return Stream(
            name, [name], routes, filtered=True, without_replies=True, only_media=only_media
        )

    return build


def _hashtag(name: str, *, local: bool):
    def build(_viewer: Viewer, params: Mapping[str, Any]) -> Stream:
        tag = _param(params, "tag")
        if not tag:
            raise RequestError("Missing tag name parameter")
        channel = channels.hashtag(normalize_tag(str(tag).lstrip("#")), local=local)
        return Stream(name, [name, tag], {channel: STATUS_EVENTS}, filtered=True)

    return build


def _list(viewer: Viewer, params: Mapping[str, Any]) -> Stream:
    raw = _param(params, "list")
    if not raw:
        raise RequestError("Missing list name parameter")
    list_id = parse_id(raw)
    owned = list_id is not None and db.session.scalar(
        select(List.id).where(List.id == list_id, List.account_id == viewer.account_id)
    )
    if not owned:
        raise AuthenticationError("Not authorized to stream this list")
    routes = {
        channels.list_(list_id): STATUS_EVENTS,
        channels.user(viewer.account_id): STATUS_EVENTS,  # filtered for the list's members
    }
    return Stream("list", ["list", raw], routes, list_id=list_id)


def _direct(viewer: Viewer, _params: Mapping[str, Any]) -> Stream:
    routes = {
        channels.direct(viewer.account_id): DIRECT_EVENTS,  # Mastodon 4: `conversation` events
        channels.user(viewer.account_id): frozenset({"delete"}),  # deleted messages
    }
    return Stream("direct", ["direct"], routes)


BUILDERS = {
    "user": _user,
    "user:notification": _notifications,
    "public": _public("public", channels.PUBLIC),
    "public:local": _public("public:local", channels.PUBLIC_LOCAL),
    "public:remote": _public("public:remote", channels.PUBLIC_REMOTE),
    "public:media": _public("public:media", channels.PUBLIC, only_media=True),
    "public:local:media": _public("public:local:media", channels.PUBLIC_LOCAL, only_media=True),
    "public:remote:media": _public("public:remote:media", channels.PUBLIC_REMOTE, only_media=True),
    "hashtag": _hashtag("hashtag", local=False),
    "hashtag:local": _hashtag("hashtag:local", local=True),
    "list": _list,
    "direct": _direct,
}


def build(viewer: Viewer, name: Any, params: Mapping[str, Any]) -> Stream:
    builder = BUILDERS.get(name) if isinstance(name, str) else None
    if builder is None:
        raise RequestError("Unknown stream type")
    return builder(viewer, params)


def resolve(viewer: Viewer, name: Any, params: Mapping[str, Any]) -> Stream:
    """The stream `name` for this viewer, after Mastodon's checks (scopes first)."""
    check_scopes(viewer, name)
    return build(viewer, name, params)


# --- one open connection --------------------------------------------------------------------

_lock = threading.Lock()
_open: set[Connection] = set()


def open_connections() -> int:
    """How many streaming connections this process is serving."""
    with _lock:
        return len(_open)


@dataclass(eq=False)
class Connection:
    """A viewer's subscriptions over a set of bus channels; `handle()` turns an event from one of
    them into what reaches each stream: `render` makes it (by default the events that pass the
    viewer's rules, fedi/hub/viewing.py; the streaming API adds Mastodon payloads). `channels`
    adds and removes the channels the stream listens on (its `PeerChannels` in fedi/hub/peer.py).

    The database session is released after every use, so idle connections hold no pool slot.
    """

    viewer: Viewer
    channels: Any  # add(channels) / remove(channels) / close()
    render: Render = viewing.deliveries
    streams: dict[tuple[str, ...], Stream] = field(default_factory=dict)
    closed: bool = False

    def __post_init__(self) -> None:
        self.system = {self.viewer.credential_channel, channels.system(self.viewer.account_id)}
        self.channels.add(self.system)
        with _lock:
            _open.add(self)

    def subscribe(self, name: Any, params: Mapping[str, Any]) -> Stream:
        try:
            stream = resolve(self.viewer, name, params)
        finally:
            db.session.remove()
        if stream.key not in self.streams:
            self.streams[stream.key] = stream
            self.channels.add(stream.routes)
        return stream

    def unsubscribe(self, name: Any, params: Mapping[str, Any]) -> None:
        try:
            stream = build(self.viewer, name, params)
        finally:
            db.session.remove()
        if self.streams.pop(stream.key, None) is None:
            return
        in_use = self._channels()
        self.channels.remove([c for c in stream.routes if c not in in_use])

    def _channels(self) -> set[str]:
        return set(self.system).union(*(s.routes for s in self.streams.values()))

    def handle(
        self, channel: str, event: bus.Event, shared: dict[Any, Any] | None = None
    ) -> list[Any]:
        """What one bus event makes on this connection's streams (`shared`: see
        viewing.deliveries)."""
        if channel in self.system:
            self.closed = self.closed or event.get("event") == "kill"
            return []
        try:
            targets = self._targets(channel)
            found = self.render(self.viewer.account_id, channel, event, targets, shared)
        except Exception:  # one event that cannot be rendered must not end the stream
            log.exception("could not render %s from %s", event.get("event"), channel)
            found = []
        finally:
            db.session.remove()
        return [got for stream, got in found if stream.first_time(got.event, got.ref)]

    def _targets(self, channel: str) -> Iterable[Stream]:
        return [s for s in self.streams.values() if channel in s.routes]

    def close(self) -> None:
        self.closed = True
        with _lock:
            _open.discard(self)
        try:
            self.channels.close()
        finally:
            db.session.remove()
