"""Who may see a status: the one place where the visibility rules live."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, Mention, Status, Visibility
from fedi.services import relations


def is_mentioned(status_id: int, account_id: int) -> bool:
    return (
        db.session.scalar(
            select(Mention.id).where(
                Mention.status_id == status_id, Mention.account_id == account_id
            )
        )
        is not None
    )


def can_see(viewer: Account | None, status: Status) -> bool:
    """public/unlisted: anyone the author doesn't block; private: author, followers and mentioned;
    direct: author and mentioned. A boost is visible when it and its original are."""
    if status.deleted_at is not None or status.account.suspended_at is not None:
        return False
    if status.reblog is not None and not can_see(viewer, status.reblog):
        return False
    author_id = status.account_id
    if viewer is not None and viewer.id == author_id:
        return True
    if viewer is not None and relations.is_blocking(author_id, viewer.id):
        return False
    match status.visibility:
        case Visibility.PUBLIC | Visibility.UNLISTED:
            return True
        case Visibility.PRIVATE:
            return viewer is not None and (
                relations.is_following(viewer.id, author_id) or is_mentioned(status.id, viewer.id)
            )
        case _:
            return viewer is not None and is_mentioned(status.id, viewer.id)


def can_reblog(viewer: Account, status: Status) -> bool:
    """Anyone who sees a public or unlisted post may boost it; a private one only its author."""
    if status.visibility == Visibility.DIRECT:
        return False
    if status.visibility == Visibility.PRIVATE and status.account_id != viewer.id:
        return False
    return can_see(viewer, status) and not relations.is_blocking(viewer.id, status.account_id)
