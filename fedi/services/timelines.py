"""Timeline reads: each returns a page of statuses, newest first, with authors preloaded."""

from __future__ import annotations

import functools

from sqlalchemy import and_, bindparam, or_, select
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
    as_account_id,
    utcnow,
)
from fedi.services import relations, status_views
from fedi.services.account_lookup import AccountRef
from fedi.services.pagination import PageParams
from fedi.services.status_views import StatusView
from fedi.text.parse import normalize_tag

# Read functions take the viewer or just their id (the API knows only the id on its hot path).
Viewer = Account | int | None


# Authors joined in the same query, without their keys (kilobytes a page never shows).
_AUTHOR = (
    joinedload(Status.account, innerjoin=True).defer(Account.private_key).defer(Account.public_key)
)
LOAD = (
    _AUTHOR,
    selectinload(Status.reblog).options(_AUTHOR),  # a query only when the page has boosts
)


def load(ids: list[int], *, views: bool = False) -> list[Status] | list[StatusView]:
    """Statuses by id in the given order, skipping deleted ones, with their authors (as
    `status_views` with `views`)."""
    if views:
        return status_views.load(ids)
    if not ids:
        return []
    rows = db.session.scalars(
        select(Status).where(Status.id.in_(ids), Status.deleted_at.is_(None)).options(*LOAD)
    )
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


# The home feed and an account's statuses are the most read pages: their statements are built
# once per shape (which page bounds, which filters) with bound parameters, on table columns (no
# ORM compile or loading), and return views for the API or models for the web pages.
_S = Status.__table__
_FEED = FeedEntry.__table__
_PUBLIC_OR_UNLISTED = (Visibility.PUBLIC, Visibility.UNLISTED)


def _run(statement, values: dict, page: PageParams, views: bool) -> list:
    values = {**values, **page.bound_values()}
    if views:
        return page.finish(status_views.rows_to_views(db.session.execute(statement, values).all()))
    return load(page.finish(list(db.session.scalars(statement, values))))


def _finish(query, column, shape: tuple[bool, bool, bool], views: bool):
    query = PageParams.apply_bound(query, column, shape)
    return status_views.as_views(query) if views else query


@functools.cache
def _home_statement(shape: tuple[bool, bool, bool], views: bool):
    me = bindparam("me")
    query = (
        select(_S.c.id)
        .select_from(_FEED.join(_S, _S.c.id == _FEED.c.status_id))
        .where(
            _FEED.c.account_id == me,
            _FEED.c.author_id.not_in(relations.hidden_authors(me, bindparam("now"))),
            _S.c.deleted_at.is_(None),
        )
    )
    return _finish(query, _FEED.c.status_id, shape, views)


def home(viewer: Viewer, page: PageParams, *, views: bool = False) -> list:
    """The viewer's feed, paged by feed entry, statuses and authors in one query."""
    me = as_account_id(viewer)
    statement = _home_statement(page.shape, views)
    rows = _run(statement, {"me": me, "now": utcnow()}, page, views)
    if all(s.reblog is None for s in rows):
        return rows
    hidden = set(db.session.scalars(relations.hidden_authors(me)))
    return [
        s
        for s in rows
        if s.reblog is None
        or (s.reblog.account_id not in hidden and s.reblog.account.suspended_at is None)
    ]


def account_statuses(
    viewer: Viewer,
    account: Account | AccountRef,
    page: PageParams,
    *,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    pinned: bool = False,
    tagged: str | None = None,
    views: bool = False,
) -> list:
    """An account's statuses the viewer may see (none across a block). `pinned` keeps those
    pinned to the profile, `only_media` those with attachments, `tagged` those with a hashtag."""
    if account.suspended_at is not None:
        return []
    me = as_account_id(viewer)
    seen_by = "anonymous" if me is None else "self" if me == account.id else "other"
    filters = (exclude_replies, exclude_reblogs or only_media or pinned, pinned, only_media)
    statement = _account_statement(page.shape, views, seen_by, filters, bool(tagged))
    values = {"account_id": account.id, "me": me, "tag": normalize_tag(tagged or "")}
    return _run(statement, values, page, views)


@functools.cache
def _account_statement(
    shape: tuple[bool, bool, bool],
    views: bool,
    seen_by: str,
    filters: tuple[bool, bool, bool, bool],
    tagged: bool,
):
    exclude_replies, originals_only, pinned, only_media = filters
    author, me = bindparam("account_id"), bindparam("me")
    query = select(_S.c.id).where(_S.c.account_id == author, _S.c.deleted_at.is_(None))
    if seen_by == "other":  # nothing across a block
        query = query.where(~relations.blocks_either_way_clause(me, author))
    if seen_by == "anonymous":
        query = query.where(_S.c.visibility.in_(_PUBLIC_OR_UNLISTED))
    elif seen_by == "other":
        mention = Mention.__table__.c
        query = query.where(
            or_(
                _S.c.visibility.in_(_PUBLIC_OR_UNLISTED),
                and_(
                    _S.c.visibility == Visibility.PRIVATE,
                    relations.following_clause(me, author),
                ),
                _S.c.id.in_(select(mention.status_id).where(mention.account_id == me)),
            )
        )
    if exclude_replies:
        query = query.where(
            or_(_S.c.in_reply_to_id.is_(None), _S.c.in_reply_to_account_id == author)
        )
    if originals_only:
        query = query.where(_S.c.reblog_of_id.is_(None))
    if pinned:
        pin = StatusPin.__table__.c
        query = query.where(_S.c.id.in_(select(pin.status_id).where(pin.account_id == author)))
    if only_media:
        media = MediaAttachment.__table__.c
        with_media = select(media.status_id).where(
            media.account_id == author, media.status_id.is_not(None)
        )
        query = query.where(_S.c.id.in_(with_media))
    if tagged:
        status_tag, tag_ = StatusTag.__table__.c, Tag.__table__.c
        with_tag = (
            select(status_tag.status_id)
            .join_from(StatusTag.__table__, Tag.__table__, tag_.id == status_tag.tag_id)
            .where(tag_.name == bindparam("tag"))
        )
        query = query.where(_S.c.id.in_(with_tag))
    return _finish(query, _S.c.id, shape, views)


def _moderated_authors():
    """Suspended and limited (silenced) accounts: never in the public and hashtag timelines
    (Mastodon's public feeds take neither, followed or not)."""
    return select(Account.id).where(
        or_(Account.suspended_at.is_not(None), Account.silenced_at.is_not(None))
    )


def public(
    viewer: Viewer,
    page: PageParams,
    *,
    local: bool = False,
    remote: bool = False,
    views: bool = False,
) -> list:
    query = select(Status.id).where(
        Status.visibility == Visibility.PUBLIC,
        Status.reblog_of_id.is_(None),
        Status.deleted_at.is_(None),
        Status.account_id.not_in(_moderated_authors()),
    )
    if local:
        query = query.where(Status.local.is_(True))
    elif remote:
        query = query.where(Status.local.is_(False))
    me = as_account_id(viewer)
    if me is not None:
        query = query.where(Status.account_id.not_in(relations.hidden_authors(me)))
    return load(page.finish(list(db.session.scalars(page.apply(query, Status.id)))), views=views)


def tag(
    viewer: Viewer, name: str, page: PageParams, *, local: bool = False, views: bool = False
) -> list:
    query = (
        select(StatusTag.status_id)
        .join(Tag, Tag.id == StatusTag.tag_id)
        .join(Status, Status.id == StatusTag.status_id)
        .where(
            Tag.name == normalize_tag(name),
            Status.visibility == Visibility.PUBLIC,
            Status.deleted_at.is_(None),
            Status.account_id.not_in(_moderated_authors()),
        )
    )
    if local:
        query = query.where(Status.local.is_(True))
    me = as_account_id(viewer)
    if me is not None:
        query = query.where(Status.account_id.not_in(relations.hidden_authors(me)))
    ids = page.finish(list(db.session.scalars(page.apply(query, StatusTag.status_id))))
    return load(ids, views=views)


def followers(account: Account, page: PageParams) -> list[Account]:
    query = select(Follow.id).where(Follow.target_account_id == account.id)
    follow_ids = list(db.session.scalars(page.apply(query, Follow.id)))
    rows = db.session.scalars(
        select(Follow).where(Follow.id.in_(follow_ids)).options(selectinload(Follow.account))
    )
    by_id = {f.id: f.account for f in rows}
    return [by_id[i] for i in page.finish(follow_ids) if i in by_id]
