"""What of a bus event reaches a viewer's streams.

A bus event only names what changed (`{"event": "update", "status_id": "1"}`); here it is loaded in
the connection's own session and checked against the viewer's rules (visibility, blocks, mutes,
domain blocks; on public and hashtag streams also blocked or muted mentions; media-only and list
filters). What passes, the streaming API renders as Mastodon entities (fedi/streaming/render.py)
and the web UI's live timelines as cards (fedi/web/live.py). One event is checked at most once per
viewer, however many of the viewer's streams carry it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fedi.events import channels
from fedi.extensions import db
from fedi.models import (
    Account,
    AccountConversation,
    List,
    ListAccount,
    MediaAttachment,
    Mention,
    Notification,
    RepliesPolicy,
    Status,
)
from fedi.services import relations, timelines, visibility

if TYPE_CHECKING:
    from fedi.hub.streams import Stream

STATUS_UPDATES = ("update", "status.update")  # events carrying the status itself


@dataclass(frozen=True)
class Delivery:
    event: str
    ref: str | None = None  # the status it is about


def deliveries(
    viewer_id: int,
    channel: str,
    event: dict[str, Any],
    streams: Iterable[Stream],
    shared: dict[Any, Any] | None = None,
) -> list[tuple[Stream, Delivery]]:
    """What one bus event delivers to the viewer's `streams` (those listening on `channel`).

    `shared` is a dict that every stream of this process receiving this same event shares: each
    viewer's `Viewing` is kept there, so the event is checked once however many streams (tabs,
    devices) the viewer has open.
    """
    seen = of(viewer_id, event, shared)
    with seen.lock:  # another stream of this viewer may be checking it right now
        return passing(seen, channel, streams)


def of(viewer_id: int, event: dict[str, Any], shared: dict[Any, Any] | None) -> Viewing:
    """The viewer's `Viewing` of this event (the one in `shared`, if given)."""
    fresh = Viewing(viewer_id, event, shared)
    return fresh if shared is None else shared.setdefault(("viewer", viewer_id), fresh)


def passing(
    seen: Viewing, channel: str, streams: Iterable[Stream]
) -> list[tuple[Stream, Delivery]]:
    """`deliveries`, for a caller holding `seen.lock`."""
    name = seen.event.get("event")
    targets = [s for s in streams if name in s.routes.get(channel, ())]
    if not targets or not isinstance(name, str):
        return []
    ref = str(seen.event["status_id"]) if seen.event.get("status_id") else None
    return [(s, Delivery(name, ref)) for s in targets if seen.passes(name, s, channel)]


class Viewing:
    """One bus event, checked for one viewer (memoized across the viewer's streams). What it
    keeps is plain data or rows read only through their loaded columns, so a stream served by
    another thread (another database session) may use it. `lock` guards it."""

    def __init__(
        self, viewer_id: int, event: dict[str, Any], shared: dict[Any, Any] | None = None
    ) -> None:
        self.viewer_id = viewer_id
        self.event = event
        self.shared = shared
        self.lock = threading.Lock()

    @cached_property
    def viewer(self) -> Account | None:
        account = db.session.get(Account, self.viewer_id)
        return account if account is not None and account.suspended_at is None else None

    def passes(self, name: str, stream: Stream, channel: str) -> bool:
        if self.viewer is None:
            return False
        if name in STATUS_UPDATES:
            return self._status_passes(stream, channel)
        if name == "delete":
            return bool(self.event.get("status_id"))
        if name == "notification":
            return self.notification is not None
        if name == "conversation":
            return self.conversation is not None
        # filters_changed passes; anything else is not an event of these streams
        return name == "filters_changed"

    # --- statuses ---

    def _status_passes(self, stream: Stream, channel: str) -> bool:
        row = self.status
        if row is None:
            return False
        if stream.without_replies and row.in_reply_to_account_id not in (None, row.account_id):
            return False
        if stream.filtered and self._mentions_hidden(row):
            return False
        if stream.only_media and not self._has_media(row):
            return False
        if stream.list_id is not None and channel != channels.list_(stream.list_id):
            return self._in_list(stream.list_id, row)  # from the owner's home feed
        return True

    @cached_property
    def status(self) -> Status | None:
        """The status, or None: gone, not visible to the viewer, or by someone they block, mute
        or domain-block (or a boost of such)."""
        status_id = _int(self.event.get("status_id"))
        rows = timelines.load([status_id]) if status_id else []
        rows = visibility.permitted(self.viewer, rows) if rows else []
        if not rows:
            return None
        row = rows[0]
        if row.reblog is not None and self._hides(row.reblog.account):
            return None
        return row

    def _hides(self, author: Account) -> bool:
        return author.id != self.viewer_id and relations.hides(self.viewer_id, author)

    def _mentions_hidden(self, row: Status) -> bool:
        """Public streams drop posts mentioning someone the viewer blocks or mutes (or who blocks
        the viewer), as Mastodon's streaming server does."""
        mentioned = self._mentioned(row.id) - {self.viewer_id}
        return bool(mentioned) and bool(mentioned & self._hidden_accounts)

    def _mentioned(self, status_id: int) -> frozenset[int]:
        """The accounts the status mentions (as its entity lists them: not silently)."""
        query = (
            select(Mention.account_id)
            .join(Account, Account.id == Mention.account_id)
            .where(Mention.status_id == status_id, Mention.silent.is_(False))
        )
        return self._once(("mentioned", status_id), lambda: frozenset(db.session.scalars(query)))

    def _once(self, key: tuple[str, int], load: Callable[[], Any]) -> Any:
        """A fact about the event's status, looked up once for every viewer getting it."""
        if self.shared is None:
            return load()
        if key not in self.shared:
            self.shared[key] = load()
        return self.shared[key]

    @cached_property
    def _hidden_accounts(self) -> set[int]:
        return set(db.session.scalars(relations.hidden_authors(self.viewer_id)))

    def _has_media(self, row: Status) -> bool:
        query = select(MediaAttachment.id).where(MediaAttachment.status_id == row.id).limit(1)
        return self._once(("media", row.id), lambda: db.session.scalar(query) is not None)

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

    # --- notifications and conversations ---

    @cached_property
    def notification(self) -> Notification | None:
        """The viewer's notification, unless its status is no longer visible to them."""
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
        return row

    @cached_property
    def conversation(self) -> AccountConversation | None:
        row_id = _int(self.event.get("conversation_id"))
        row = db.session.get(AccountConversation, row_id) if row_id else None
        if row is None or row.account_id != self.viewer_id:
            return None
        return row


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None
