"""Bus events -> Mastodon frames for one viewer.

A bus event only names what changed (`{"event": "update", "status_id": "1"}`); here it is loaded in
the connection's own session, checked against the viewer's rules (visibility, blocks, mutes, domain
blocks; on public and hashtag streams also blocked or muted mentions; media-only and list filters)
and rendered as the viewer would see it through the REST API. One event is loaded and rendered at
most once, however many of the connection's streams carry it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fedi.entities.conversation import conversation as render_conversation
from fedi.entities.notification import render as render_notifications
from fedi.entities.status import one as render_status
from fedi.events import channels
from fedi.extensions import db
from fedi.models import (
    Account,
    AccountConversation,
    List,
    ListAccount,
    Notification,
    RepliesPolicy,
    Status,
)
from fedi.services import relations, timelines, visibility

if TYPE_CHECKING:
    from fedi.streaming.streams import Stream

STATUS_EVENTS = ("update", "status.update")


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
    name = event.get("event")
    targets = [s for s in streams if name in s.routes.get(channel, ())]
    if not targets or not isinstance(name, str):
        return []
    fresh = _Rendering(viewer_id, event)
    rendering = fresh if shared is None else shared.setdefault(("viewer", viewer_id), fresh)
    ref = str(event["status_id"]) if event.get("status_id") else None
    out = []
    with rendering.lock:  # another stream of this viewer may be rendering it right now
        for stream in targets:
            payload = rendering.payload(name, stream, channel)
            if payload is not DROP:
                out.append((stream, Frame(stream.label, name, payload, ref)))
    return out


DROP = object()


class _Rendering:
    """One bus event, rendered for one viewer (memoized across the viewer's streams). What it
    keeps is plain data or rows read only through their loaded columns, so a stream served by
    another thread (another database session) may use it."""

    def __init__(self, viewer_id: int, event: dict[str, Any]) -> None:
        self.viewer_id = viewer_id
        self.event = event
        self.lock = threading.Lock()

    @cached_property
    def viewer(self) -> Account | None:
        account = db.session.get(Account, self.viewer_id)
        return account if account is not None and account.suspended_at is None else None

    def payload(self, name: str, stream: Stream, channel: str) -> Any:
        if self.viewer is None:
            return DROP
        if name in STATUS_EVENTS:
            return self._status_payload(stream, channel)
        if name == "delete":
            return str(self.event.get("status_id") or "") or DROP
        if name == "notification":
            return self._notification or DROP
        if name == "conversation":
            return self._conversation or DROP
        if name == "filters_changed":
            return None
        return DROP  # not an event of these streams: never pass raw bus data through

    # --- statuses ---

    def _status_payload(self, stream: Stream, channel: str) -> Any:
        rendered = self._status
        if rendered is None:
            return DROP
        row, entity, payload = rendered
        if stream.without_replies and row.in_reply_to_account_id not in (None, row.account_id):
            return DROP
        if stream.filtered and self._mentions_hidden(entity):
            return DROP
        if stream.only_media and not entity["media_attachments"]:
            return DROP
        from_home = stream.list_id is not None and channel != channels.list_(stream.list_id)
        if from_home and not self._in_list(stream.list_id, row):
            return DROP
        return payload

    @cached_property
    def _status(self) -> tuple[Status, dict[str, Any], str] | None:
        """The status as the viewer would see it through the REST API, or None: gone, not
        visible to them, or by someone they block, mute or domain-block (or a boost of such)."""
        status_id = _int(self.event.get("status_id"))
        rows = timelines.load([status_id]) if status_id else []
        rows = visibility.permitted(self.viewer, rows) if rows else []
        if not rows:
            return None
        row = rows[0]
        if row.reblog is not None and self._hides(row.reblog.account):
            return None
        entity = render_status(row, self.viewer)
        return row, entity, orjson.dumps(entity).decode()

    def _hides(self, author: Account) -> bool:
        return author.id != self.viewer_id and relations.hides(self.viewer_id, author)

    def _mentions_hidden(self, entity: dict[str, Any]) -> bool:
        """Public streams drop posts mentioning someone the viewer blocks or mutes (or who blocks
        the viewer), as Mastodon's streaming server does."""
        mentioned = {int(m["id"]) for m in entity["mentions"]} - {self.viewer_id}
        return bool(mentioned) and bool(mentioned & self._hidden_accounts)

    @cached_property
    def _hidden_accounts(self) -> set[int]:
        return set(db.session.scalars(relations.hidden_authors(self.viewer_id)))

    def _in_list(self, list_id: int, row: Status) -> bool:
        """A home-feed status belongs to the list when a member wrote (or boosted) it; replies
        follow the list's replies policy."""
        lst, members = self._list(list_id)
        if lst is None or row.account_id not in members:
            return False
        replied = row.in_reply_to_account_id
        if replied is None or replied in (row.account_id, self.viewer_id):
            return True
        if lst.replies_policy == RepliesPolicy.NONE:
            return False
        return lst.replies_policy == RepliesPolicy.FOLLOWED or replied in members

    def _list(self, list_id: int) -> tuple[List | None, set[int]]:
        lst = db.session.get(List, list_id)
        if lst is None or lst.account_id != self.viewer_id:
            return None, set()
        members = set(
            db.session.scalars(select(ListAccount.account_id).where(ListAccount.list_id == list_id))
        )
        return lst, members

    # --- notifications ---

    @cached_property
    def _notification(self) -> str | None:
        notification_id = _int(self.event.get("notification_id"))
        row = db.session.scalar(
            select(Notification)
            .where(Notification.id == notification_id, Notification.account_id == self.viewer_id)
            .options(selectinload(Notification.from_account), selectinload(Notification.status))
        ) if notification_id else None  # fmt: skip
        if row is None:
            return None
        if row.status is not None and not visibility.can_see(self.viewer, row.status):
            return None
        rendered = render_notifications([row], self.viewer)
        return orjson.dumps(rendered[0]).decode() if rendered else None

    # --- conversations ---

    @cached_property
    def _conversation(self) -> str | None:
        row_id = _int(self.event.get("conversation_id"))
        row = db.session.get(AccountConversation, row_id) if row_id else None
        if row is None or row.account_id != self.viewer_id:
            return None
        return orjson.dumps(render_conversation(row, self.viewer)).decode()


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None
