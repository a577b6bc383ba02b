"""Editing a local status, the way Mastodon does: the first edit also stores the original as a
revision, every edit stores the new one; mentions and hashtags follow the new text (newly
mentioned accounts are notified, dropped mentions turn silent); those who boosted it get an
`update` notification, and live streams a `status.update` event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from fedi import queue
from fedi.errors import Forbidden, Unprocessable
from fedi.events import channels
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Account,
    FeedEntry,
    MediaAttachment,
    Mention,
    NotificationType,
    Status,
    StatusEdit,
    StatusTag,
    Tag,
    Visibility,
    utcnow,
)
from fedi.services import media_uploads, notifications, polls, preview_cards, statuses, tags

# `edit_status(poll=KEEP)`: the poll stays as it is (the web UI's edit of the words).
KEEP = object()


def edit_status(
    *,
    status: Status,
    by: Account,
    text: str | None = None,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    media_ids: Sequence[Any] | None = None,
    media_attributes: Sequence[Any] | None = None,
    poll: polls.PollSpec | object | None = KEEP,
) -> Status:
    """Replace the text, content warning, sensitivity, language, media and poll of `by`'s own
    status. As in Mastodon's API, an omitted field is cleared (omitted media are detached, an
    omitted poll removed), and `media_attributes` (dicts of `id`, `description`, `focus`) change
    the kept or added media; a poll given again starts its duration again, and resets its votes
    when its options or kind change (services/polls.py). Nothing changes, and no revision is
    stored, when the result equals the current status."""
    if status.account_id != by.id or status.reblog_of_id is not None:
        raise Forbidden("This action is not allowed")
    text, spoiler = (text or "").strip(), (spoiler_text or "").strip()
    if not text and spoiler:  # the content warning becomes the text; the old warning stays
        text, spoiler, sensitive_ = spoiler, status.spoiler_text, bool(sensitive)
    else:
        sensitive_ = bool(sensitive or spoiler)
    spec = poll if isinstance(poll, polls.PollSpec) else None
    if spec is not None and media_ids:
        raise Unprocessable(f"Cannot attach more than {statuses.MAX_MEDIA} files")
    media = statuses.attachable_media(by, media_ids, status=status)
    statuses.check_text(text, spoiler, has_media=bool(media))
    if spec is not None:
        polls.check(spec)
    if language is None or not statuses.LANGUAGE_RE.match(language):
        language = status.language or statuses.language_for(None, by)
    before = _current_media(status)
    first = _media_snapshot(before)  # as it was, before media_attributes apply
    described = _describe_media(media, media_attributes)  # validated before anything changes
    old_poll = polls.options_of(status.id)
    changed = described or (text, spoiler, sensitive_, language, [m.id for m in media]) != (
        status.text, status.spoiler_text, status.sensitive, status.language, [m.id for m in before]
    )  # fmt: skip
    if poll is not KEEP and (spec is not None or old_poll is not None):
        changed = True  # a poll given again starts again; an omitted one goes
    if not changed:
        return status
    if not _has_revisions(status):
        _snapshot(status, first, account_id=status.account_id, at=status.created_at, poll=old_poll)
    if poll is not KEEP:
        polls.replace(status, spec)
    _replace_media(status, before, media)
    status.text, status.spoiler_text, status.sensitive = text, spoiler, sensitive_
    status.language, status.edited_at = language, utcnow()
    new_mentions = _rerender(status)
    db.session.flush()
    _snapshot(
        status, _media_snapshot(media), account_id=by.id, at=status.edited_at,
        poll=polls.options_of(status.id),
    )  # fmt: skip
    db.session.commit()
    announce_edit(status.id, new_mentions)
    queue.enqueue("federate_update", status.id)
    preview_cards.request_card(status, edited=True)
    return status


def apply_remote_edit(
    *, status: Status, content: str, spoiler_text: str, sensitive: bool, language: str | None,
    edited_at: datetime,
) -> bool:  # fmt: skip
    """Apply a remote author's edit (content already sanitised) with the same revisions as a
    local edit; False when nothing changed. The caller commits, then calls `announce_edit`."""
    changed = (content, spoiler_text, sensitive) != (
        status.content, status.spoiler_text, status.sensitive
    )  # fmt: skip
    if not changed:
        return False
    media = _current_media(status)
    poll = polls.options_of(status.id)
    if not _has_revisions(status):
        _snapshot(
            status, _media_snapshot(media), account_id=status.account_id, at=status.created_at,
            poll=poll,
        )  # fmt: skip
    status.content, status.spoiler_text, status.sensitive = content, spoiler_text, sensitive
    status.language = language or status.language
    status.edited_at = edited_at
    _snapshot(status, _media_snapshot(media), account_id=status.account_id, at=edited_at, poll=poll)
    return True


def history(status: Status) -> list[StatusEdit]:
    """The revisions, oldest first; a status never edited has its current state as the only
    one (not stored)."""
    edits = list(
        db.session.scalars(
            select(StatusEdit).where(StatusEdit.status_id == status.id).order_by(StatusEdit.id)
        )
    )
    if edits:
        return edits
    return [
        StatusEdit(
            status_id=status.id, account_id=status.account_id, text=status.text,
            content=status.content, spoiler_text=status.spoiler_text, sensitive=status.sensitive,
            media=_media_snapshot(_current_media(status)), poll_options=polls.options_of(status.id),
            created_at=status.edited_at or status.created_at,
        )
    ]  # fmt: skip


def _describe_media(media: list[MediaAttachment], attributes: Sequence[Any] | None) -> bool:
    """Apply `media_attributes` to the status's next media (others are ignored, as in
    Mastodon); True when a description or focal point changed."""
    by_id = {str(m.id): m for m in media}
    wanted = []
    for attrs in attributes or ():
        item = by_id.get(str(attrs.get("id"))) if isinstance(attrs, dict) else None
        if item is None:
            continue
        given = attrs.get("description")
        description = None if given is None else media_uploads.check_description(str(given))
        wanted.append(
            (item, given is not None, description, media_uploads.parse_focus(attrs.get("focus")))
        )
    changed = False
    for item, describes, description, focus in wanted:
        if describes and description != item.description:
            item.description, changed = description, True
        if focus is not None and focus != (item.focus_x, item.focus_y):
            item.focus_x, item.focus_y = focus
            changed = True
    return changed


def _current_media(status: Status) -> list[MediaAttachment]:
    return list(
        db.session.scalars(
            select(MediaAttachment)
            .where(MediaAttachment.status_id == status.id)
            .order_by(MediaAttachment.position, MediaAttachment.id)
        )
    )


def _has_revisions(status: Status) -> bool:
    return (
        db.session.scalar(select(StatusEdit.id).where(StatusEdit.status_id == status.id).limit(1))
        is not None
    )


def _media_snapshot(media: list[MediaAttachment]) -> list[dict[str, Any]]:
    return [{"id": str(m.id), "description": m.description} for m in media]


def _snapshot(
    status: Status, media: list[dict[str, Any]], *, account_id: int, at, poll: list[str] | None
) -> None:
    db.session.add(
        StatusEdit(
            id=new_id(), status_id=status.id, account_id=account_id, text=status.text,
            content=status.content, spoiler_text=status.spoiler_text, sensitive=status.sensitive,
            media=media, poll_options=poll, created_at=at,
        )
    )  # fmt: skip
    db.session.flush()


def _replace_media(
    status: Status, before: list[MediaAttachment], after: list[MediaAttachment]
) -> None:
    """Detach what the edit dropped (history still shows it) and attach the rest in order."""
    kept = {m.id for m in after}
    for item in before:
        if item.id not in kept:
            item.status_id = None
    statuses.attach_media(status, after)


def _rerender(status: Status) -> list[int]:
    """New content, mentions and tags from the new text; returns newly mentioned account ids."""
    rendered = statuses.render(status.text)
    status.content = rendered.html
    wanted = [t.key for t in rendered.mentions]
    existing = {
        m.account_id: m
        for m in db.session.scalars(select(Mention).where(Mention.status_id == status.id))
    }
    for account_id, mention in existing.items():
        mention.silent = account_id not in wanted  # still grants access, shown no more
    added = [a for a in wanted if a not in existing]
    for account_id in added:
        db.session.add(Mention(id=new_id(), status_id=status.id, account_id=account_id))
    db.session.execute(delete(StatusTag).where(StatusTag.status_id == status.id))
    tags.attach(status, rendered.tags)
    return added


def announce_edit(status_id: int, new_mentions: list[int]) -> None:
    """After an edit is committed: notify the newly mentioned and the local boosters, then tell
    live streams. Ids in, so a task can run it; `edit_status` calls it directly for now."""
    status = db.session.get(Status, status_id)
    if status is None or status.deleted_at is not None:
        return
    author = status.account
    boosters = list(
        db.session.scalars(
            select(Status.account_id).where(
                Status.reblog_of_id == status.id, Status.deleted_at.is_(None)
            )
        )
    )
    created = notifications.notify_many(
        recipients=new_mentions, sender=author, type_=NotificationType.MENTION,
        status_id=status.id,
    )  # fmt: skip
    created += notifications.notify_many(
        recipients=boosters, sender=author, type_=NotificationType.UPDATE, status_id=status.id
    )
    db.session.commit()
    notifications.publish(created)
    channels.publish_update(update_channels(status), status.id, event="status.update")


def update_channels(status: Status) -> list[str]:
    """Streams showing the status: home feeds holding it, and the public, hashtag or direct
    streams it was published to."""
    holders = db.session.scalars(
        select(FeedEntry.account_id).where(FeedEntry.status_id == status.id)
    )
    names = {channels.user(i) for i in holders} | {channels.user(status.account_id)}
    if status.visibility == Visibility.DIRECT:
        mentioned = db.session.scalars(
            select(Mention.account_id).where(Mention.status_id == status.id)
        )
        names |= {channels.direct(i) for i in {status.account_id, *mentioned}}
    elif status.visibility == Visibility.PUBLIC:
        local = status.local
        names |= {channels.PUBLIC, channels.PUBLIC_LOCAL if local else channels.PUBLIC_REMOTE}
        tag_names = db.session.scalars(
            select(Tag.name)
            .join(StatusTag, StatusTag.tag_id == Tag.id)
            .where(StatusTag.status_id == status.id)
        )
        for name in tag_names:
            names.add(channels.hashtag(name))
            if local:
                names.add(channels.hashtag(name, local=True))
    return sorted(names)
