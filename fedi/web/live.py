"""Live updates for the web UI: `/web/live`, a WebSocket for htmx's ws extension.

The signed-in user (the session cookie) opens it for the timeline on screen:
`/web/live?timeline=home|local|federated|hashtag|profile|none` (`tag=` for hashtag, `account=` an
account id for profile). The server sends server-rendered HTML: new cards with
`hx-swap-oob="afterbegin"` into `#timeline`, deletions, and the unread badge (`#nav-badge`). What
may be shown follows the streaming API exactly (fedi/hub/streams.py and viewing.py: visibility,
blocks, mutes, domain blocks). The browser sends `{"since_id": "<newest id shown>"}` when the
socket opens (and after every reconnect); the server answers with what is newer first, from the
timeline services, so nothing is lost while the network was down.

Cross-site WebSocket hijacking: the upgrade is refused unless `Origin` is this instance.
"""

from __future__ import annotations

import io
import logging
import sys
from collections import deque
from dataclasses import dataclass
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup, escape

from fedi.events import channels
from fedi.events.bus import Event
from fedi.extensions import db
from fedi.http.session import current_session_id, current_user, remember
from fedi.hub.handoff import serve_websocket
from fedi.hub.peer import Peer
from fedi.hub.session import Session
from fedi.hub.streams import STATUS_EVENTS, Connection, Stream, Viewer
from fedi.models import Account, Status
from fedi.services import notifications, sessions, timelines
from fedi.services.pagination import PageParams

log = logging.getLogger(__name__)
bp = Blueprint("web_live", __name__)

TIMELINES = frozenset({"home", "local", "federated", "hashtag", "profile", "none"})
MAX_MESSAGE_BYTES = 4096
CATCH_UP_LIMIT = 40
BADGE_CAP = 99
RECHECK_SECONDS = 60.0


@dataclass(frozen=True)
class Spec:
    timeline: str
    tag: str | None = None
    account_id: int | None = None


def parse_spec(args: Any) -> Spec:
    timeline = args.get("timeline") or "none"
    if timeline not in TIMELINES:
        raise ValueError("unknown timeline")
    if timeline == "hashtag":
        tag = (args.get("tag") or "").lstrip("#")
        if not tag:
            raise ValueError("missing tag")
        return Spec(timeline, tag=tag)
    if timeline == "profile":
        raw = args.get("account") or ""
        if not raw.isdigit() or not 0 < int(raw) < 2**63:
            raise ValueError("missing account")
        return Spec(timeline, account_id=int(raw))
    return Spec(timeline)


def same_origin() -> bool:
    """Whether the browser opened the socket from one of our pages."""
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if not origin:
        return False
    settings = current_app.config["FEDI"]
    return origin in (settings.base_url.rstrip("/"), request.host_url.rstrip("/"))


# --- the streams behind each timeline --------------------------------------------------------


def _streams(spec: Spec, viewer: Viewer) -> list[tuple[str, dict[str, Any]] | Stream]:
    """Mastodon stream names (with parameters) or custom streams for a web timeline; the
    notification stream is always there for the badge."""
    wanted: list[tuple[str, dict[str, Any]] | Stream] = [("user:notification", {})]
    if spec.timeline == "home":
        wanted.append(("user", {}))
    elif spec.timeline == "local":
        wanted.append(("public:local", {}))
    elif spec.timeline == "federated":
        wanted.append(("public", {}))
    elif spec.timeline == "hashtag":
        wanted.append(("hashtag", {"tag": spec.tag}))
    elif spec.timeline == "profile":
        routes = {channels.PUBLIC: STATUS_EVENTS}
        wanted.append(Stream("profile", ["profile"], routes, filtered=True, without_replies=True))
    return wanted


def attach(conn: Connection, spec: Spec) -> None:
    for item in _streams(spec, conn.viewer):
        if isinstance(item, Stream):
            conn.streams[item.key] = item
            conn.channels.add(item.routes)
        else:
            conn.subscribe(item[0], item[1])


def catch_up(spec: Spec, account: Account, since_id: int) -> list[Status]:
    """What the timeline gained after `since_id` (newest first), as its page would show it."""
    page = PageParams(since_id=since_id, limit=CATCH_UP_LIMIT)
    if spec.timeline == "home":
        return timelines.home(account, page)
    if spec.timeline in ("local", "federated"):
        return timelines.public(account, page, local=spec.timeline == "local")
    if spec.timeline == "hashtag":
        return timelines.tag(account, spec.tag or "", page)
    if spec.timeline == "profile":
        author = db.session.get(Account, spec.account_id)
        if author is None:
            return []
        return timelines.account_statuses(account, author, page, exclude_replies=True)
    return []


# --- HTML fragments --------------------------------------------------------------------------


FILTER_CONTEXTS = {"home": "home", "local": "public", "federated": "public",
                   "hashtag": "public", "profile": "account"}  # fmt: skip


def cards_fragment(statuses: list[Status], viewer: Account, timeline: str = "home") -> str:
    """Cards for the top of `#timeline`, rendered by the same partial as the pages."""
    from fedi.web.signed_in import card_context

    # the signed-in pages' card context
    context = card_context(statuses, viewer, FILTER_CONTEXTS.get(timeline))
    cards = "".join(render_template("_partials/status.html", status=s, **context) for s in statuses)
    return f'<div id="timeline" hx-swap-oob="afterbegin">{cards}</div>'


def delete_fragment(status_id: str) -> str:
    return f'<div id="status-{escape(status_id)}" hx-swap-oob="delete"></div>'


def badge_fragment(unread: int) -> str:
    shown = str(unread) if unread <= BADGE_CAP else f"{BADGE_CAP}+"
    hidden = "" if unread else " hidden"
    return str(
        Markup(
            '<span id="nav-badge" class="badge" hx-swap-oob="true"{} aria-label="{} unread">'
            "{}</span>"
        ).format(Markup(hidden), unread, shown)
    )


# --- one connection --------------------------------------------------------------------------


class LiveSession(Session):
    """The state of one open /web/live socket; its work runs on the streaming hub's workers, in
    a request context like the page's (templates ask who is signed in).

    It lives as long as its browser session: a `kill` on the session's channel (signed out,
    revoked, password changed) closes it at once, and every event and tick checks that the
    session still exists."""

    tick_seconds = RECHECK_SECONDS

    def __init__(self, peer: Peer, spec: Spec, viewer: Viewer) -> None:
        assert viewer.web_session_id is not None
        self.peer = peer
        self.session_id = viewer.web_session_id
        self.spec = spec
        self.conn = Connection(viewer, peer.channels)
        self.sent: deque[int] = deque(maxlen=1024)

    def account(self) -> Account | None:
        user = sessions.signed_in_user(self.session_id)
        if user is None:
            return None
        remember(user, self.session_id)  # templates ask who is signed in
        return user.account

    def opened(self) -> None:
        attach(self.conn, self.spec)

    def message(self, text: str) -> None:
        since_id = _since_id(text)
        if since_id is None:
            return
        account = self._account_or_close()
        if account is None:
            return
        rows = [s for s in catch_up(self.spec, account, since_id) if s.id not in self.sent]
        if rows:
            self.sent.extend(s.id for s in rows)
            self.peer.send(cards_fragment(rows, account, self.spec.timeline))
        self.peer.send(badge_fragment(_unread(account)))

    def event(self, channel: str, event: Event, shared: dict[Any, Any]) -> None:
        for frame in self.conn.handle(channel, event, shared):
            account = self._account_or_close()
            if account is None:
                return
            html = self._render(frame.event, frame.ref, account)
            if html:
                self.peer.send(html)
        if self.conn.closed:
            self.peer.close()

    def tick(self) -> None:
        """Close the socket once its session has ended or the user may no longer sign in (should
        the `kill` have been lost)."""
        self._account_or_close()

    def closed(self) -> None:
        self.conn.close()

    def _account_or_close(self) -> Account | None:
        account = self.account()
        if account is None:
            self.conn.closed = True
            self.peer.close()
        return account

    def _render(self, event: str, ref: str | None, account: Account) -> str | None:
        if event == "notification":
            return badge_fragment(_unread(account))
        if event == "delete" and ref:
            return delete_fragment(ref)
        if event != "update" or not ref or not ref.isdigit() or int(ref) in self.sent:
            return None
        rows = timelines.load([int(ref)])
        if not rows:
            return None
        if self.spec.timeline == "profile" and rows[0].account_id != self.spec.account_id:
            return None
        self.sent.append(rows[0].id)
        return cards_fragment(rows, account, self.spec.timeline)


def _since_id(data: Any) -> int | None:
    if not isinstance(data, str):
        return None
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    raw = message.get("since_id") if isinstance(message, dict) else None
    raw = str(raw) if isinstance(raw, int | str) else ""
    return int(raw) if raw.isdigit() and int(raw) < 2**63 else None


def _unread(account: Account) -> int:
    return notifications.unread_count(account, notifications.Filters(), limit=BADGE_CAP + 1)


# --- the endpoint ----------------------------------------------------------------------------


@bp.route("/web/live", websocket=True)
def live():
    try:
        user = current_user()
        if user is None:
            return Response("Sign in first", status=401, mimetype="text/plain")
        if not same_origin():
            return Response("Cross-origin WebSocket refused", status=403, mimetype="text/plain")
        spec = parse_spec(request.args)
        viewer = Viewer(user.account.id, 0, frozenset({"read"}), current_session_id())
    except ValueError as err:
        return Response(str(err), status=400, mimetype="text/plain")
    finally:
        db.session.remove()
    return serve_websocket(
        lambda peer: LiveSession(peer, spec, viewer),
        max_message_bytes=MAX_MESSAGE_BYTES,
        context=_request_context(request.environ),
    )


def _request_context(environ: dict[str, Any]):
    """A request context like this request's, for work done after the request is over."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kept = {k: v for k, v in environ.items() if isinstance(v, str)}
    kept.update({"wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme":
                 environ.get("wsgi.url_scheme", "http")})  # fmt: skip
    return lambda: app.request_context(dict(kept))
