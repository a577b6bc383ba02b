"""Timeline reads: each returns a page of statuses, newest first, with authors preloaded."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from fedi.extensions import db
from fedi.models import (
    Account,
    FeedEntry,
    Follow,
    MediaAttachment,
    Mention,
    Status,
    StatusPin,
    StatusTag,
    Tag,
    Visibility,
)
from fedi.services import relations
from fedi.services.pagination import PageParams
from fedi.text.parse import normalize_tag

# Authors joined in the same query, without their keys (kilobytes a page never shows).
_AUTHOR = (
    joinedload(Status.account, innerjoin=True).defer(Account.private_key).defer(Account.public_key)
)
LOAD = (
    _AUTHOR,
    selectinload(Status.reblog).options(_AUTHOR),  # a query only when the page has boosts
)


def load(ids: list[int]) -> list[Status]:
    """Statuses by id in the given order, skipping deleted ones, with their authors."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Status).where(Status.id.in_(ids), Status.deleted_at.is_(None)).options(*LOAD)
    )
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def home(viewer: Account, page: PageParams) -> list[Status]:
    """The viewer's feed, paged by feed entry, statuses and authors in one query."""
    query = (
        select(Status)
        .join(FeedEntry, FeedEntry.status_id == Status.id)
        .where(
            FeedEntry.account_id == viewer.id,
            FeedEntry.author_id.not_in(relations.hidden_authors(viewer.id)),
            Status.deleted_at.is_(None),
        )
        .options(*LOAD)
    )
    rows = page.finish(list(db.session.scalars(page.apply(query, FeedEntry.status_id))))
    if all(s.reblog is None for s in rows):
        return rows
    hidden = set(db.session.scalars(relations.hidden_authors(viewer.id)))
    return [s for s in rows if s.reblog is None or s.reblog.account_id not in hidden]


def account_statuses(
    viewer: Account | None,
    account: Account,
    page: PageParams,
    *,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    pinned: bool = False,
    tagged: str | None = None,
) -> list[Status]:
    """An account's statuses the viewer may see (none across a block). `pinned` keeps those
    pinned to the profile, `only_media` those with attachments, `tagged` those with a hashtag."""
    if account.suspended_at is not None:
        return []
    query = select(Status).where(Status.account_id == account.id, Status.deleted_at.is_(None))
    if viewer is not None and viewer.id != account.id:  # nothing across a block
        query = query.where(~relations.blocks_either_way_clause(viewer.id, account.id))
    query = query.where(_visible_from(viewer, account))
    if exclude_replies:
        query = query.where(
            or_(Status.in_reply_to_id.is_(None), Status.in_reply_to_account_id == account.id)
        )
    if exclude_reblogs or only_media or pinned:
        query = query.where(Status.reblog_of_id.is_(None))
    if pinned:
        pins = select(StatusPin.status_id).where(StatusPin.account_id == account.id)
        query = query.where(Status.id.in_(pins))
    if only_media:
        media = select(MediaAttachment.status_id).where(
            MediaAttachment.account_id == account.id, MediaAttachment.status_id.is_not(None)
        )
        query = query.where(Status.id.in_(media))
    if tagged:
        with_tag = select(StatusTag.status_id).join(Tag, Tag.id == StatusTag.tag_id)
        query = query.where(Status.id.in_(with_tag.where(Tag.name == normalize_tag(tagged))))
    query = query.options(*LOAD)
    return page.finish(list(db.session.scalars(page.apply(query, Status.id))))


def _visible_from(viewer: Account | None, account: Account):
    public = Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED])
    if viewer is None:
        return public
    if viewer.id == account.id:
        return Status.id.is_not(None)
    mentioned = Status.id.in_(select(Mention.status_id).where(Mention.account_id == viewer.id))
    followers_only = and_(
        Status.visibility == Visibility.PRIVATE, relations.following_clause(viewer.id, account.id)
    )
    return or_(public, followers_only, mentioned)


def public(
    viewer: Account | None, page: PageParams, *, local: bool = False, remote: bool = False
) -> list[Status]:
    query = select(Status.id).where(
        Status.visibility == Visibility.PUBLIC,
        Status.reblog_of_id.is_(None),
        Status.deleted_at.is_(None),
    )
    if local:
        query = query.where(Status.local.is_(True))
    elif remote:
        query = query.where(Status.local.is_(False))
    if viewer is not None:
        query = query.where(Status.account_id.not_in(relations.hidden_authors(viewer.id)))
    return load(page.finish(list(db.session.scalars(page.apply(query, Status.id)))))


def tag(
    viewer: Account | None, name: str, page: PageParams, *, local: bool = False
) -> list[Status]:
    query = (
        select(StatusTag.status_id)
        .join(Tag, Tag.id == StatusTag.tag_id)
        .join(Status, Status.id == StatusTag.status_id)
        .where(
            Tag.name == normalize_tag(name),
            Status.visibility == Visibility.PUBLIC,
            Status.deleted_at.is_(None),
        )
    )
    if local:
        query = query.where(Status.local.is_(True))
    if viewer is not None:
        query = query.where(Status.account_id.not_in(relations.hidden_authors(viewer.id)))
    return load(page.finish(list(db.session.scalars(page.apply(query, StatusTag.status_id)))))


def followers(account: Account, page: PageParams) -> list[Account]:
    query = select(Follow.id).where(Follow.target_account_id == account.id)
    follow_ids = list(db.session.scalars(page.apply(query, Follow.id)))
    rows = db.session.scalars(
        select(Follow).where(Follow.id.in_(follow_ids)).options(selectinload(Follow.account))
    )
    by_id = {f.id: f.account for f in rows}
    return [by_id[i] for i in page.finish(follow_ids) if i in by_id]
