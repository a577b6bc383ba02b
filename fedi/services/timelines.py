"""Timeline reads: each returns a page of statuses, newest first, with authors preloaded."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from fedi.extensions import db
from fedi.models import Account, FeedEntry, Follow, Mention, Status, StatusTag, Tag, Visibility
from fedi.services import relations
from fedi.services.pagination import PageParams
from fedi.text.parse import normalize_tag

LOAD = (
    selectinload(Status.account),
    selectinload(Status.reblog).selectinload(Status.account),
)


def load(ids: list[int]) -> list[Status]:
    """Statuses by id in the given order, skipping deleted ones, in two queries."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Status).where(Status.id.in_(ids), Status.deleted_at.is_(None)).options(*LOAD)
    )
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def home(viewer: Account, page: PageParams) -> list[Status]:
    query = select(FeedEntry.status_id).where(
        FeedEntry.account_id == viewer.id,
        FeedEntry.author_id.not_in(relations.hidden_authors(viewer.id)),
    )
    ids = page.finish(list(db.session.scalars(page.apply(query, FeedEntry.status_id))))
    hidden = set(db.session.scalars(relations.hidden_authors(viewer.id))) if ids else set()
    return [s for s in load(ids) if s.reblog is None or s.reblog.account_id not in hidden]


def account_statuses(
    viewer: Account | None,
    account: Account,
    page: PageParams,
    *,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
) -> list[Status]:
    if (
        viewer is not None
        and viewer.id != account.id
        and relations.blocks_either_way(viewer.id, account.id)
    ):
        return []
    query = select(Status.id).where(Status.account_id == account.id, Status.deleted_at.is_(None))
    query = query.where(_visible_from(viewer, account))
    if exclude_replies:
        query = query.where(
            or_(Status.in_reply_to_id.is_(None), Status.in_reply_to_account_id == account.id)
        )
    if exclude_reblogs:
        query = query.where(Status.reblog_of_id.is_(None))
    return load(page.finish(list(db.session.scalars(page.apply(query, Status.id)))))


def _visible_from(viewer: Account | None, account: Account):
    public = Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED])
    if viewer is None:
        return public
    if viewer.id == account.id:
        return Status.id.is_not(None)
    mentioned = Status.id.in_(select(Mention.status_id).where(Mention.account_id == viewer.id))
    if relations.is_following(viewer.id, account.id):
        return or_(public, Status.visibility == Visibility.PRIVATE, mentioned)
    return or_(public, mentioned)


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
