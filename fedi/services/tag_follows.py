"""Following hashtags: public posts with a followed tag reach the follower's home feed."""

from __future__ import annotations

from sqlalchemy import delete, select

from fedi.errors import NotFound
from fedi.extensions import db
from fedi.models import Account, Status, StatusTag, Tag, TagFollow, Visibility
from fedi.services import tags
from fedi.services.pagination import PageParams
from fedi.services.upsert import insert_ignore
from fedi.text.parse import is_valid_tag_name, normalize_tag


def _valid(name: str) -> str:
    name = (name or "").lstrip("#")
    if not name or not is_valid_tag_name(name):
        raise NotFound("Record not found")
    return name


def find_or_new(name: str) -> Tag:
    """The tag by name, or an unsaved one when nobody used it yet (NotFound for invalid names)."""
    name = _valid(name)
    return tags.find(name) or Tag(name=normalize_tag(name), display_name=name)


def follow_tag(*, account: Account, name: str) -> Tag:
    """Follow a hashtag, creating it when new; following again changes nothing."""
    found = tags.find_or_create([_valid(name)])
    if not found:
        raise NotFound("Record not found")
    tag = found[0]
    db.session.execute(
        insert_ignore(
            TagFollow, [{"account_id": account.id, "tag_id": tag.id}], ["account_id", "tag_id"]
        )
    )
    db.session.commit()
    return tag


def unfollow_tag(*, account: Account, name: str) -> Tag:
    tag = find_or_new(name)
    if tag.id is not None:
        db.session.execute(
            delete(TagFollow).where(TagFollow.account_id == account.id, TagFollow.tag_id == tag.id)
        )
        db.session.commit()
    return tag


def followed_tags(account: Account, page: PageParams) -> list[tuple[int, Tag]]:
    """(tag follow id, tag) pairs, newest follow first, paged by the follow id."""
    query = (
        select(TagFollow.id, Tag)
        .join(Tag, Tag.id == TagFollow.tag_id)
        .where(TagFollow.account_id == account.id)
    )
    rows = db.session.execute(page.apply(query, TagFollow.id)).all()
    return [(row_id, tag) for row_id, tag in page.finish(rows)]


def following_ids(account: Account | None, tag_ids: list[int]) -> set[int]:
    """Which of these tags the account follows (one query)."""
    if account is None or not tag_ids:
        return set()
    return set(
        db.session.scalars(
            select(TagFollow.tag_id).where(
                TagFollow.account_id == account.id, TagFollow.tag_id.in_(tag_ids)
            )
        )
    )


def tag_followers(status: Status) -> list[int]:
    """Local accounts following any tag of a public original status: more home-feed recipients
    (the fan-out then drops those who block or mute the author)."""
    if status.visibility != Visibility.PUBLIC or status.reblog_of_id is not None:
        return []
    return list(
        db.session.scalars(
            select(TagFollow.account_id)
            .join(StatusTag, StatusTag.tag_id == TagFollow.tag_id)
            .join(Account, Account.id == TagFollow.account_id)
            .where(StatusTag.status_id == status.id, Account.domain.is_(None))
            .distinct()
        )
    )
