"""Posting, reading and deleting statuses."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select, update

from fedi import tasks, urls
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Account,
    Conversation,
    FeedEntry,
    Mention,
    Notification,
    Status,
    StatusPin,
    Visibility,
    utcnow,
)
from fedi.services import accounts, counters, tags, visibility
from fedi.text.render import MentionTarget, render_status, status_length

LANGUAGE_MAX = 16


def _validation(message: str) -> Unprocessable:
    return Unprocessable(f"Validation failed: {message}")


def get_visible(status_id: int | str, viewer: Account | None) -> Status:
    """The status if it exists and the viewer may see it; otherwise NotFound (never leak it)."""
    try:
        status = db.session.get(Status, int(status_id))
    except (TypeError, ValueError):
        status = None
    if status is None or not visibility.can_see(viewer, status):
        raise NotFound("Record not found")
    return status


def _resolve_mention(username: str, domain: str | None) -> MentionTarget | None:
    account = accounts.find_by_acct(username, domain)
    if account is None or account.suspended_at is not None:
        return None
    return MentionTarget(
        username=account.username, domain=account.domain, url=account.url or account.uri,
        key=account.id,
    )  # fmt: skip


def _check_text(text: str, spoiler_text: str, has_media: bool) -> None:
    if not text.strip() and not has_media:
        raise _validation("Text can't be blank")
    limit = current_app.config["FEDI"].MAX_STATUS_CHARS
    if status_length(text, spoiler_text=spoiler_text) > limit:
        raise _validation(f"Text character limit of {limit} exceeded")


def _reply_target(in_reply_to: Status | None, author: Account) -> Status | None:
    if in_reply_to is None:
        return None
    if not visibility.can_see(author, in_reply_to) or in_reply_to.reblog_of_id is not None:
        raise NotFound("Record not found")
    return in_reply_to


def post_status(
    *,
    account: Account,
    text: str,
    visibility_: Visibility | str | None = None,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str | None = None,
    in_reply_to: Status | None = None,
    application_id: int | None = None,
) -> Status:
    """Validate, render and store a local status, then fan it out in the background."""
    text, spoiler_text = (text or "").strip(), (spoiler_text or "").strip()
    _check_text(text, spoiler_text, has_media=False)
    parent = _reply_target(in_reply_to, account)
    vis = _visibility(visibility_, account, parent)
    if language is not None and (not language or len(language) > LANGUAGE_MAX):
        raise _validation("Language is not a valid language code")
    rendered = render_status(text, resolve_mention=_resolve_mention, tag_url=urls.tag_url)
    status = Status(
        id=new_id(),
        account_id=account.id,
        text=text,
        content=rendered.html,
        spoiler_text=spoiler_text,
        sensitive=bool(sensitive or spoiler_text),
        visibility=vis,
        language=language,
        local=True,
        in_reply_to_id=parent.id if parent else None,
        in_reply_to_account_id=parent.account_id if parent else None,
        conversation_id=parent.conversation_id if parent else None,
        application_id=application_id,
    )
    status.uri = urls.status_uri(account.username, status.id)
    status.url = urls.status_url(account.username, status.id)
    if status.conversation_id is None:
        conversation = Conversation(id=new_id())
        db.session.add(conversation)
        status.conversation_id = conversation.id
    db.session.add(status)
    db.session.flush()
    for target in rendered.mentions:
        db.session.add(Mention(status_id=status.id, account_id=target.key))
    tags.attach(status, rendered.tags)
    counters.bump(Account, account.id, "statuses_count", 1)
    account.last_status_at = status.created_at
    if parent is not None and vis in (Visibility.PUBLIC, Visibility.UNLISTED):
        counters.bump(Status, parent.id, "replies_count", 1)
    db.session.commit()
    tasks.fan_out_status(status.id)
    return status


def _visibility(
    value: Visibility | str | None, account: Account, parent: Status | None
) -> Visibility:
    if value in (None, ""):
        default = (account.user.settings or {}).get("default_privacy") if account.user else None
        if parent is not None and parent.visibility == Visibility.DIRECT:
            return Visibility.DIRECT
        return Visibility(default or ("private" if account.locked else "public"))
    try:
        return Visibility(value)
    except ValueError:
        raise _validation("Visibility is not included in the list") from None


def delete_status(*, status: Status, by: Account) -> Status:
    """Delete the author's own status: it and its boosts leave every feed at once."""
    if status.account_id != by.id:
        raise Forbidden("This action is not allowed")
    if status.deleted_at is not None:
        raise NotFound("Record not found")
    remove(status)
    db.session.commit()
    tasks.status_removed(status.id)
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
