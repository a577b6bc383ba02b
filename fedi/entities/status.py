"""The Status entity, rendered for a page of statuses with a fixed number of queries.

`StatusContext` batch-loads everything a page needs (mentions, tags, media, applications and the
viewer's favourites, boosts, bookmarks, pins and conversation mutes) in one UNION ALL query, plus
one for the mentioned accounts and one for the media when the page has any; `status()` is then a
pure function of the row and that context.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import (
    BigInteger,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from fedi import urls
from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.entities.media import media_attachment
from fedi.extensions import db
from fedi.models import (
    Account,
    ConversationMute,
    MediaAttachment,
    Mention,
    OAuthApplication,
    Status,
    StatusTag,
    Tag,
    Visibility,
    as_account_id,
)
from fedi.services import interactions
from fedi.services.status_views import AccountView, StatusView


class _Named:
    """A tag or an application as the entity needs it: a name (and a website)."""

    __slots__ = ("name", "website")

    def __init__(self, name: str, website: str | None = None) -> None:
        self.name, self.website = name, website


# Kinds of row in the one query behind a StatusContext (0-3 are interactions.FLAGS).
_MUTED, _MENTION, _TAG, _MEDIA, _APP = 4, 5, 6, 7, 8


class StatusContext:
    """`viewer`: the viewing account or its id (None: anonymous). `statuses`: models or
    `status_views` (anything with the attributes the entity reads)."""

    def __init__(self, viewer: Account | int | None, statuses: Sequence[Status]) -> None:
        self.viewer_id = as_account_id(viewer)
        rows = list(statuses) + [s.reblog for s in statuses if s.reblog is not None]
        ids = list({s.id for s in rows})
        self.mentions: dict[int, list[Account]] = defaultdict(list)
        self.tags: dict[int, list[_Named]] = defaultdict(list)
        self.media: dict[int, list[MediaAttachment]] = defaultdict(list)
        self.apps: dict[int, _Named] = {}
        self.flags: dict[str, set[int]] = {name: set() for name in interactions.FLAGS}
        self.muted_conversations: set[int] = set()
        self._accounts: dict[int, dict[str, Any]] = {}
        if not ids:
            return
        self._load(ids)

    def _load(self, ids: list[int]) -> None:
        """Everything in one query, plus one for mentioned accounts and one for media if any."""
        mentioned: dict[int, list[int]] = defaultdict(list)
        media_ids: list[int] = []
        params = {"ids": ids, "viewer_id": self.viewer_id}
        query = _query(self.viewer_id is not None)
        for key, ref, _order, name, extra, kind in db.session.execute(query, params):
            if kind < _MUTED:
                self.flags[interactions.FLAGS[kind]].add(key)
            elif kind == _MUTED:
                self.muted_conversations.add(key)
            elif kind == _MENTION:
                mentioned[key].append(ref)
            elif kind == _TAG:
                self.tags[key].append(_Named(name))
            elif kind == _MEDIA:
                media_ids.append(ref)
            else:
                self.apps[key] = _Named(name, extra)
        if mentioned:
            wanted = {i for refs in mentioned.values() for i in refs}
            query = select(Account).where(Account.id.in_(wanted))
            found = {a.id: a for a in db.session.scalars(query)}
            for status_id, refs in mentioned.items():
                self.mentions[status_id] = [found[i] for i in refs if i in found]
        if media_ids:
            for media in db.session.scalars(
                select(MediaAttachment)
                .where(MediaAttachment.id.in_(media_ids))
                .order_by(MediaAttachment.position, MediaAttachment.id)
            ):
                self.media[media.status_id].append(media)

    def flag(self, name: str, status_id: int) -> bool:
        return status_id in self.flags.get(name, ())

    def account(self, row: Account) -> dict[str, Any]:
        """The Account entity of a status's author, built once per page (once per process for
        views, by their key)."""
        if row.id not in self._accounts:
            key = getattr(row, "key", None)
            self._accounts[row.id] = (
                _view_account(current_app.config["FEDI"].base_url, key)
                if key
                else account_entity(row)
            )
        return self._accounts[row.id]


def _columns(kind: int, key, ref=None, order=None, name=None, extra=None) -> tuple:
    """The columns of one part of a StatusContext's query: (key, ref, ord, name, extra, kind)."""

    def big(column):
        return cast(null(), BigInteger) if column is None else column

    def text(column):
        return cast(null(), String) if column is None else column

    return (
        key.label("key"), big(ref).label("ref"), big(order).label("ord"),
        text(name).label("name"), text(extra).label("extra"),
        literal_column(str(kind)).label("kind"),
    )  # fmt: skip


_QUERIES: dict[bool, Any] = {}


def _query(with_viewer: bool):
    """Mentions (in order), tags, media, the applications of local statuses, and for a viewer
    the flags of interactions.FLAGS and the muted conversations: one UNION ALL over the page's
    statuses (parameters `ids` and `viewer_id`), built once per process."""
    if with_viewer in _QUERIES:
        return _QUERIES[with_viewer]
    # Table columns: a Core statement, no ORM compile or loading.
    models = (Status, Mention, StatusTag, Tag, MediaAttachment, OAuthApplication, ConversationMute)
    status, mention, status_tag, tag, media, app, mute = (m.__table__.c for m in models)
    page = (
        select(status.id, status.conversation_id, status.application_id, status.local)
        .where(status.id.in_(bindparam("ids", expanding=True)))
        .cte("page")
    )
    ids = select(page.c.id)
    apps = select(page.c.application_id).where(page.c.local.is_(True))
    parts = [
        select(*_columns(_MENTION, mention.status_id, mention.account_id, mention.id))
        .where(mention.status_id.in_(ids), mention.silent.is_(False)),
        select(*_columns(_TAG, status_tag.status_id, status_tag.tag_id, name=tag.name))
        .join_from(StatusTag.__table__, Tag.__table__, tag.id == status_tag.tag_id)
        .where(status_tag.status_id.in_(ids)),
        select(*_columns(_MEDIA, media.status_id, media.id))
        .where(media.status_id.in_(ids)),
        select(*_columns(_APP, app.id, name=app.name, extra=app.website))
        .where(app.id.in_(apps)),
    ]  # fmt: skip
    if with_viewer:
        viewer_id = bindparam("viewer_id")
        for kind, flag in enumerate(interactions.viewer_flag_queries(viewer_id, ids)):
            parts.append(flag.with_only_columns(*_columns(kind, flag.selected_columns[0])))
        parts.append(
            select(*_columns(_MUTED, mute.conversation_id)).where(
                mute.account_id == viewer_id,
                mute.conversation_id.in_(select(page.c.conversation_id)),
            )
        )
    _QUERIES[with_viewer] = union_all(*parts).order_by("kind", "key", "ord")
    return _QUERIES[with_viewer]


def _application(row: Status, ctx: StatusContext) -> dict[str, Any] | None:
    app = ctx.apps.get(row.application_id) if row.application_id else None
    return {"name": app.name, "website": app.website} if app else None


# Entities of status views by their key (their row): equal rows make equal entities, so these
# need no invalidation; a changed row is a new key and the old entry ages out. Only the parts
# that depend on the row alone are cached, and callers get copies or must not modify them.
CACHE_SIZE = 4096


@functools.lru_cache(maxsize=CACHE_SIZE)
def _view_account(base_url: str, key: tuple) -> dict[str, Any]:
    """(Media URLs depend on the instance's address, hence `base_url` in the key.)"""
    return account_entity(AccountView._make(key))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _view_base(key: tuple) -> dict[str, Any]:
    return _base(StatusView(key, None))


def _base(row: Status) -> dict[str, Any]:
    """The fields of the entity that come from the status row alone."""
    return {
        "id": str(row.id),
        "created_at": iso(row.created_at),
        "in_reply_to_id": str(row.in_reply_to_id) if row.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(row.in_reply_to_account_id) if row.in_reply_to_account_id else None
        ),
        "sensitive": row.sensitive,
        "spoiler_text": row.spoiler_text,
        "visibility": row.visibility.value,
        "language": row.language,
        "uri": row.uri,
        "url": row.url,
        "replies_count": row.replies_count,
        "reblogs_count": row.reblogs_count,
        "favourites_count": row.favourites_count,
        "edited_at": iso(row.edited_at),
        "content": row.content,
    }


def status(row: Status, ctx: StatusContext, *, source: bool = False) -> dict[str, Any]:
    """`source`: the typed `text` instead of the HTML `content` (Mastodon's delete answer)."""
    viewer_id = ctx.viewer_id
    key = getattr(row, "key", None)
    body = dict(_view_base(key)) if key is not None and not source else _base(row)
    body |= {
        "reblog": status(row.reblog, ctx, source=source) if row.reblog is not None else None,
        "application": _application(row, ctx),
        "account": ctx.account(row.account),
        "media_attachments": [media_attachment(m) for m in ctx.media.get(row.id, [])],
        "mentions": [
            {"id": str(a.id), "username": a.username, "url": a.url or a.uri, "acct": a.acct}
            for a in ctx.mentions.get(row.id, [])
        ],
        "tags": [{"name": t.name, "url": urls.tag_url(t.name)} for t in ctx.tags.get(row.id, [])],
        "emojis": [],
        "card": None,
        "poll": None,
        "filtered": [],
    }
    if viewer_id is not None:
        body["favourited"] = ctx.flag("favourited", row.id)
        body["reblogged"] = ctx.flag("reblogged", row.id)
        body["bookmarked"] = ctx.flag("bookmarked", row.id)
        body["muted"] = row.conversation_id in ctx.muted_conversations
        if _pinnable(row, viewer_id):
            body["pinned"] = ctx.flag("pinned", row.id)
    if source:
        body = {("text" if k == "content" else k): v for k, v in body.items()}
        body["text"] = row.text
    return body


def _pinnable(row: Status, viewer_id: int) -> bool:
    return (
        row.account_id == viewer_id
        and row.reblog_of_id is None
        and row.visibility in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE)
    )


def statuses(
    rows: Sequence[Status], viewer: Account | int | None, *, source: bool = False
) -> list[dict[str, Any]]:
    ctx = StatusContext(viewer, rows)
    return [status(r, ctx, source=source) for r in rows]


def one(row: Status, viewer: Account | None, *, source: bool = False) -> dict[str, Any]:
    return statuses([row], viewer, source=source)[0]
