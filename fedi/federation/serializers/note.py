"""Statuses as ActivityStreams Note objects, shaped as Mastodon sends them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fedi import urls
from fedi.extensions import db
from fedi.federation import addressing
from fedi.federation.serializers.common import emoji_tag, iso, with_context
from fedi.federation.serializers.poll import poll_of, question_fields
from fedi.models import (
    Account,
    Conversation,
    MediaAttachment,
    Mention,
    Status,
    StatusTag,
    Tag,
    Visibility,
)
from fedi.services import custom_emojis

REPLIES_PAGE = 5


def conversation_uri(status: Status) -> str | None:
    if status.conversation_id is None:
        return None
    conversation = db.session.get(Conversation, status.conversation_id)
    if conversation is not None and conversation.uri:
        return conversation.uri
    day = status.created_at.strftime("%Y-%m-%d")
    return (
        f"tag:{urls.local_domain()},{day}:objectId={status.conversation_id}:objectType=Conversation"
    )


def parent_uri(status: Status) -> str | None:
    if status.in_reply_to_id is not None:
        parent = db.session.get(Status, status.in_reply_to_id)
        if parent is not None:
            return parent.uri
    return status.in_reply_to_uri


def tags(status: Status) -> list[dict[str, str]]:
    mentioned = db.session.scalars(
        select(Account).join(Mention, Mention.account_id == Account.id)
        .where(Mention.status_id == status.id, Mention.silent.is_(False)).order_by(Mention.id)
    )  # fmt: skip
    hashtags = db.session.scalars(
        select(Tag)
        .join(StatusTag, StatusTag.tag_id == Tag.id)
        .where(StatusTag.status_id == status.id)
    )
    out = [{"type": "Mention", "href": a.uri, "name": f"@{a.acct}"} for a in mentioned]
    out += [
        {"type": "Hashtag", "href": urls.tag_url(t.name), "name": f"#{t.display_name or t.name}"}
        for t in hashtags
    ]
    out += [emoji_tag(e) for e in custom_emojis.of_status(status, status.account.domain)]
    return out


def document(media: MediaAttachment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "Document",
        "mediaType": media.file_content_type or "application/octet-stream",
        "url": urls.media_url(media.file_path, media.remote_url),
        "name": media.description or None,
        "blurhash": media.blurhash,
    }
    if media.focus_x is not None and media.focus_y is not None:
        body["focalPoint"] = [media.focus_x, media.focus_y]
    original = (media.meta or {}).get("original") or {}
    for key in ("width", "height"):
        if isinstance(original.get(key), int):
            body[key] = original[key]
    return body


def attachments(status: Status) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(MediaAttachment).where(MediaAttachment.status_id == status.id)
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )  # fmt: skip
    return [document(m) for m in rows]


def self_replies(status: Status, *, limit: int = REPLIES_PAGE, min_id: int = 0) -> list[Status]:
    """The author's own public/unlisted replies to `status`, oldest first."""
    return list(
        db.session.scalars(
            select(Status).where(
                Status.in_reply_to_id == status.id,
                Status.account_id == status.account_id,
                Status.deleted_at.is_(None),
                Status.id > min_id,
                Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED]),
            ).order_by(Status.id).limit(limit)
        )
    )  # fmt: skip


def replies(status: Status) -> dict[str, Any]:
    """Mastodon's replies collection: a Collection whose first page holds self-replies."""
    base = f"{status.uri}/replies"
    items = self_replies(status)
    if len(items) == REPLIES_PAGE:
        next_page = f"{base}?min_id={items[-1].id}&page=true"
    else:
        next_page = f"{base}?only_other_accounts=true&page=true"
    return {
        "id": base,
        "type": "Collection",
        "first": {
            "type": "CollectionPage",
            "next": next_page,
            "partOf": base,
            "items": [s.uri for s in items],
        },
    }


def note(status: Status, *, context: bool = True) -> dict[str, Any]:
    """The Note of a local status (not a boost). `context=False` when embedded in an activity."""
    to, cc = addressing.audience(status)
    in_reply_to = parent_uri(status)
    body: dict[str, Any] = {
        "id": status.uri,
        "type": "Note",
        "summary": status.spoiler_text or None,
        "inReplyTo": in_reply_to,
        "published": iso(status.created_at),
        "url": status.url or urls.status_url(status.account.username, status.id),
        "attributedTo": status.account.uri,
        "to": to,
        "cc": cc,
        "sensitive": status.sensitive or status.account.sensitized_at is not None,
        "atomUri": status.uri,
        "inReplyToAtomUri": in_reply_to,
        "conversation": conversation_uri(status),
        "content": status.content,
    }
    if status.language:
        body["contentMap"] = {status.language: status.content}
    if status.edited_at is not None:
        body["updated"] = iso(status.edited_at)
    body["attachment"] = attachments(status)
    body["tag"] = tags(status)
    body["replies"] = replies(status)
    poll = poll_of(status)
    if poll is not None:  # Mastodon's Question: the Note's fields and the poll's
        body["type"] = "Question"
        body |= question_fields(poll)
    return with_context(body) if context else body


def tombstone(status: Status) -> dict[str, Any]:
    return {"id": status.uri, "type": "Tombstone", "atomUri": status.uri}
