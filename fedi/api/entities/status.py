"""The Status entity, rendered for a page of statuses with a fixed number of queries.

`StatusContext` batch-loads everything a page needs (mentions, tags, media, applications and the
viewer's favourites, boosts, bookmarks, pins and conversation mutes) in one query each; `status()`
is then a pure function of the row and that context.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from fedi import urls
from fedi.api.entities.account import account as account_entity
from fedi.api.entities.common import iso
from fedi.api.entities.media import media_attachment
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
)
from fedi.services import interactions


class StatusContext:
    def __init__(self, viewer: Account | None, statuses: Sequence[Status]) -> None:
        self.viewer = viewer
        rows = list(statuses) + [s.reblog for s in statuses if s.reblog is not None]
        ids = list({s.id for s in rows})
        self.mentions: dict[int, list[Account]] = defaultdict(list)
        self.tags: dict[int, list[Tag]] = defaultdict(list)
        self.media: dict[int, list[MediaAttachment]] = defaultdict(list)
        self.apps: dict[int, OAuthApplication] = {}
        self.flags: dict[str, set[int]] = {}
        self.muted_conversations: set[int] = set()
        if not ids:
            return
        self._load(ids, rows)

    def _load(self, ids: list[int], rows: list[Status]) -> None:
        for status_id, acc in db.session.execute(
            select(Mention.status_id, Account)
            .join(Account, Account.id == Mention.account_id)
            .where(Mention.status_id.in_(ids))
            .order_by(Mention.id)
        ):
            self.mentions[status_id].append(acc)
        for status_id, tag in db.session.execute(
            select(StatusTag.status_id, Tag)
            .join(Tag, Tag.id == StatusTag.tag_id)
            .where(StatusTag.status_id.in_(ids))
        ):
            self.tags[status_id].append(tag)
        for media in db.session.scalars(
            select(MediaAttachment)
            .where(MediaAttachment.status_id.in_(ids))
            .order_by(MediaAttachment.position, MediaAttachment.id)
        ):
            self.media[media.status_id].append(media)
        app_ids = {s.application_id for s in rows if s.application_id and s.local}
        if app_ids:
            self.apps = {
                a.id: a
                for a in db.session.scalars(
                    select(OAuthApplication).where(OAuthApplication.id.in_(app_ids))
                )
            }
        if self.viewer is not None:
            self.flags = interactions.viewer_flags(self.viewer, ids)
            conversations = {s.conversation_id for s in rows if s.conversation_id}
            if conversations:
                self.muted_conversations = set(
                    db.session.scalars(
                        select(ConversationMute.conversation_id).where(
                            ConversationMute.account_id == self.viewer.id,
                            ConversationMute.conversation_id.in_(conversations),
                        )
                    )
                )

    def flag(self, name: str, status_id: int) -> bool:
        return status_id in self.flags.get(name, ())


def _application(row: Status, ctx: StatusContext) -> dict[str, Any] | None:
    app = ctx.apps.get(row.application_id) if row.application_id else None
    return {"name": app.name, "website": app.website} if app else None


def status(row: Status, ctx: StatusContext) -> dict[str, Any]:
    viewer = ctx.viewer
    body: dict[str, Any] = {
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
        "reblog": status(row.reblog, ctx) if row.reblog is not None else None,
        "application": _application(row, ctx),
        "account": account_entity(row.account),
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
    if viewer is not None:
        body["favourited"] = ctx.flag("favourited", row.id)
        body["reblogged"] = ctx.flag("reblogged", row.id)
        body["bookmarked"] = ctx.flag("bookmarked", row.id)
        body["muted"] = row.conversation_id in ctx.muted_conversations
        if row.account_id == viewer.id:
            body["pinned"] = ctx.flag("pinned", row.id)
    return body


def statuses(rows: Sequence[Status], viewer: Account | None) -> list[dict[str, Any]]:
    ctx = StatusContext(viewer, rows)
    return [status(r, ctx) for r in rows]


def one(row: Status, viewer: Account | None) -> dict[str, Any]:
    return statuses([row], viewer)[0]
