"""Posting, reading and deleting statuses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from fedi import queue, urls
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id, parse_id
from fedi.models import (
    Account,
    Conversation,
    FeedEntry,
    MediaAttachment,
    MediaType,
    Mention,
    Notification,
    ProcessingState,
    Status,
    StatusPin,
    Visibility,
    utcnow,
)
from fedi.services import (
    accounts,
    counters,
    idempotency,
    polls,
    preview_cards,
    tags,
    timelines,
    visibility,
)
from fedi.text.render import MentionTarget, Rendered, render_status, status_length

MAX_MEDIA = 4
MANY_LIMIT = 20
# ISO 639 codes, optionally with a region or script (`pt-BR`, `zh-TW`, `sr-Latn`).
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."


def _validation(message: str) -> Unprocessable:
    return Unprocessable(f"Validation failed: {message}")


def get_visible(status_id: int | str, viewer: Account | None) -> Status:
    """The status if it exists and the viewer may see it; otherwise NotFound (never leak it)."""
    number = parse_id(status_id)
    status = db.session.get(Status, number) if number is not None else None
    if status is None or not visibility.can_see(viewer, status):
        raise NotFound("Record not found")
    return status


def get_own(status_id: int | str, account: Account) -> Status:
    """One of the account's own live statuses (others' are "not found", as Mastodon answers)."""
    number = parse_id(status_id)
    status = db.session.get(Status, number) if number is not None else None
    if status is None or status.account_id != account.id or status.deleted_at is not None:
        raise NotFound("Record not found")
    return status


def get_many(status_ids: Sequence[Any], viewer: Account | None) -> list[Status]:
    """The statuses among `status_ids` the viewer may see, newest first (at most 20 asked)."""
    wanted = list(dict.fromkeys(parse_id(i) or 0 for i in status_ids))
    if len(wanted) > MANY_LIMIT:
        raise Unprocessable("Mastodon::ValidationError")
    rows = visibility.permitted(viewer, timelines.load([i for i in wanted if i]))
    return sorted(rows, key=lambda s: s.id, reverse=True)


def _resolve_mention(username: str, domain: str | None) -> MentionTarget | None:
    account = accounts.find_by_acct(username, domain)
    if account is None or account.suspended_at is not None:
        return None
    return MentionTarget(
        username=account.username, domain=account.domain, url=account.url or account.uri,
        key=account.id,
    )  # fmt: skip


def render(text: str) -> Rendered:
    """Local status text as HTML, with the accounts it mentions and the tags it uses."""
    return render_status(text, resolve_mention=_resolve_mention, tag_url=urls.tag_url)


def check_text(text: str, spoiler_text: str, has_media: bool) -> None:
    if not text.strip() and not has_media:
        raise _validation("Text can't be blank")
    limit = current_app.config["FEDI"].MAX_STATUS_CHARS
    if status_length(text, spoiler_text=spoiler_text) > limit:
        raise _validation(f"Text character limit of {limit} exceeded")


def _reply_target(
    in_reply_to: Status | None, in_reply_to_id: Any, author: Account
) -> Status | None:
    if in_reply_to is None and in_reply_to_id in (None, ""):
        return None
    if in_reply_to is None:
        number = parse_id(in_reply_to_id)
        in_reply_to = db.session.get(Status, number) if number is not None else None
    if (
        in_reply_to is None
        or in_reply_to.reblog_of_id is not None
        or not visibility.can_see(author, in_reply_to)
    ):
        raise NotFound(REPLY_NOT_FOUND)
    return in_reply_to


def attachable_media(
    account: Account, media_ids: Sequence[Any] | None, *, status: Status | None = None
) -> list[MediaAttachment]:
    """The account's uploads for `media_ids`, in that order, checked as Mastodon does: at most
    four, not attached elsewhere nor reserved for a scheduled status (media of a deleted post
    may be reused for its redraft; those of `status` when it is being edited), no video with
    other files, all processed."""
    if not media_ids:
        return []
    if len(media_ids) > MAX_MEDIA:
        raise Unprocessable(f"Cannot attach more than {MAX_MEDIA} files")
    ids = [parse_id(i) or 0 for i in media_ids]
    deleted = select(Status.id).where(
        Status.account_id == account.id, Status.deleted_at.is_not(None)
    )
    free = [MediaAttachment.status_id.is_(None), MediaAttachment.status_id.in_(deleted)]
    if status is not None:
        free.append(MediaAttachment.status_id == status.id)
    found = {
        m.id: m
        for m in db.session.scalars(
            select(MediaAttachment).where(
                MediaAttachment.account_id == account.id,
                MediaAttachment.id.in_(ids),
                MediaAttachment.scheduled_status_id.is_(None),
                or_(*free),
            )
        )
    }
    missing = [str(i) for i in ids if i not in found]
    if missing and status is None:  # an edit drops unknown ids silently, like Mastodon's
        raise Unprocessable(
            f"Media {', '.join(missing)} not found or already attached to another post"
        )
    media = [found[i] for i in dict.fromkeys(ids) if i in found]
    if len(media) > 1 and any(m.type in (MediaType.VIDEO, MediaType.AUDIO) for m in media):
        raise Unprocessable("Cannot attach a video to a post that already contains images")
    if any(m.processing != ProcessingState.DONE for m in media):
        raise Unprocessable(
            "Cannot attach files that have not finished processing. Try again in a moment!"
        )
    return media


def attach_media(status: Status, media: list[MediaAttachment]) -> None:
    for position, item in enumerate(media):
        item.status_id = status.id
        item.position = position


def language_for(value: str | None, account: Account) -> str:
    """The language asked for if it is a valid code, else the author's default, else theirs."""
    user = account.user
    settings = (user.settings or {}) if user else {}
    for candidate in (value, settings.get("default_language"), user.locale if user else None):
        if candidate and LANGUAGE_RE.match(candidate):
            return candidate
    return "en"


def _visibility(
    value: Visibility | str | None, account: Account, parent: Status | None
) -> Visibility:
    if value in (None, ""):
        default = (account.user.settings or {}).get("default_privacy") if account.user else None
        if parent is not None and parent.visibility == Visibility.DIRECT:
            return Visibility.DIRECT
        vis = Visibility(default or ("private" if account.locked else "public"))
    else:
        try:
            vis = Visibility(value)
        except ValueError:
            raise _validation("Visibility is not included in the list") from None
    if vis == Visibility.PUBLIC and account.silenced_at is not None:
        return Visibility.UNLISTED
    return vis


def _sensitive(value: bool | None, account: Account, spoiler_text: str) -> bool:
    if value is None and account.user is not None:
        value = bool((account.user.settings or {}).get("default_sensitive"))
    # A moderator marked the account's media sensitive: new posts are sensitive too.
    return bool(value or spoiler_text or account.sensitized_at is not None)


def validate_post(
    *,
    account: Account,
    text: str,
    visibility_: Visibility | str | None = None,
    spoiler_text: str = "",
    in_reply_to_id: int | str | None = None,
    media_ids: Sequence[Any] | None = None,
) -> list[MediaAttachment]:
    """What `post_status` checks before storing, for a post made later (a scheduled status):
    the reply target, the media (returned, to be reserved), the text and the visibility."""
    parent = _reply_target(None, in_reply_to_id, account)
    media = attachable_media(account, media_ids)
    text, spoiler_text = (text or "").strip(), (spoiler_text or "").strip()
    if not text and spoiler_text:
        text, spoiler_text = spoiler_text, ""
    check_text(text, spoiler_text, has_media=bool(media))
    _visibility(visibility_, account, parent)
    return media


def post_status(
    *,
    account: Account,
    text: str,
    visibility_: Visibility | str | None = None,
    spoiler_text: str = "",
    sensitive: bool | None = None,
    language: str | None = None,
    in_reply_to: Status | None = None,
    in_reply_to_id: int | str | None = None,
    application_id: int | None = None,
    media_ids: Sequence[Any] | None = None,
    idempotency_key: str | None = None,
    poll: polls.PollSpec | None = None,
) -> Status:
    """Validate, render and store a local status, then fan it out in the background. A retry
    with the same `idempotency_key` answers with the status the first request made."""
    parent = _reply_target(in_reply_to, in_reply_to_id, account)
    duplicate = idempotency.find(account, idempotency_key)
    if duplicate is not None:
        return duplicate
    if poll is not None and media_ids:  # Mastodon's answer to media with a poll
        raise Unprocessable(f"Cannot attach more than {MAX_MEDIA} files")
    media = attachable_media(account, media_ids)
    if poll is not None:
        polls.check(poll)
    text, spoiler_text = (text or "").strip(), (spoiler_text or "").strip()
    sensitive_ = _sensitive(sensitive, account, spoiler_text)
    if not text and spoiler_text:  # Mastodon posts a lone content warning as the text
        text, spoiler_text = spoiler_text, ""
    check_text(text, spoiler_text, has_media=bool(media))
    status = Status(
        id=new_id(), account_id=account.id, text=text, spoiler_text=spoiler_text,
        sensitive=sensitive_, visibility=_visibility(visibility_, account, parent),
        language=language_for(language, account), local=True, application_id=application_id,
    )  # fmt: skip
    _insert(status, account, parent, media)
    if poll is not None:
        polls.attach(status, poll)
    # The author's own home shows the post at once (a redirect to /home must find it); the
    # fan-out task reaches everyone else and skips this row.
    db.session.add(FeedEntry(account_id=account.id, status_id=status.id, author_id=account.id))
    idempotency.remember(account, idempotency_key, status.id)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        duplicate = idempotency.find(account, idempotency_key) if idempotency_key else None
        if duplicate is None:
            raise
        return duplicate
    queue.enqueue("fan_out_status", status.id)
    queue.enqueue("federate_create", status.id)
    preview_cards.request_card(status)
    return status


def _insert(
    status: Status, account: Account, parent: Status | None, media: list[MediaAttachment]
) -> None:
    """Render and add a new status with its thread, media, mentions, tags and counters."""
    rendered = render(status.text)
    status.content = rendered.html
    status.uri = urls.status_uri(account.username, status.id)
    status.url = urls.status_url(account.username, status.id)
    if parent is not None:
        status.in_reply_to_id = parent.id
        status.in_reply_to_account_id = parent.account_id
        status.conversation_id = parent.conversation_id
    if status.conversation_id is None:
        conversation = Conversation(id=new_id())
        db.session.add(conversation)
        status.conversation_id = conversation.id
    db.session.add(status)
    db.session.flush()
    attach_media(status, media)
    for target in rendered.mentions:
        db.session.add(Mention(status_id=status.id, account_id=target.key))
    tags.attach(status, rendered.tags)
    counters.bump(Account, account.id, "statuses_count", 1)
    account.last_status_at = status.created_at
    if parent is not None and status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        counters.bump(Status, parent.id, "replies_count", 1)


def delete_status(*, status: Status, by: Account) -> Status:
    """Delete the author's own status: it and its boosts leave every feed at once. Its media
    stay attached to the deleted status, so a redraft may attach them again."""
    if status.account_id != by.id:
        raise Forbidden("This action is not allowed")
    if status.deleted_at is not None:
        raise NotFound("Record not found")
    remove(status)
    db.session.commit()
    queue.enqueue("status_removed", status.id)
    queue.enqueue("federate_delete", status.id)
    return status


def remove(status: Status) -> None:
    """Mark a status and its boosts deleted and drop them from feeds (caller commits)."""
    now = utcnow()
    reblog_ids = list(
        db.session.scalars(
            select(Status.id).where(Status.reblog_of_id == status.id, Status.deleted_at.is_(None))
        )
    )
    ids = [status.id, *reblog_ids]
    db.session.execute(
        update(Status).where(Status.id.in_(ids)).values(deleted_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    status.deleted_at = now
    db.session.execute(delete(FeedEntry).where(FeedEntry.status_id.in_(ids)))
    db.session.execute(delete(Notification).where(Notification.status_id.in_(ids)))
    db.session.execute(delete(StatusPin).where(StatusPin.status_id.in_(ids)))
    counters.bump(Account, status.account_id, "statuses_count", -1)
    if status.reblog_of_id is not None:
        counters.bump(Status, status.reblog_of_id, "reblogs_count", -1)
    elif status.in_reply_to_id and status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        counters.bump(Status, status.in_reply_to_id, "replies_count", -1)
    if reblog_ids:
        boosters = select(Status.account_id).where(Status.id.in_(reblog_ids))
        db.session.execute(
            update(Account)
            .where(Account.id.in_(boosters), Account.statuses_count > 0)
            .values(statuses_count=Account.statuses_count - 1)
            .execution_options(synchronize_session=False)
        )
