"""Who may see a status: the one place where the visibility rules live."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select

from fedi.extensions import db
from fedi.models import (
    Account,
    AccountDomainBlock,
    Block,
    Follow,
    Mention,
    Mute,
    Status,
    Visibility,
    utcnow,
)
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


def _allows(viewer: Account | None, status: Status, facts: _Asked | _Loaded) -> bool:
    """The rule. public/unlisted: anyone the author doesn't block; private: author, followers
    and mentioned; direct: author and mentioned. A boost is visible when it and its original
    are. `facts` answers the three questions about the viewer's relationships, asked in this
    order and only when the answer matters."""
    if status.deleted_at is not None or status.account.suspended_at is not None:
        return False
    if status.reblog is not None and not _allows(viewer, status.reblog, facts):
        return False
    author_id = status.account_id
    if viewer is not None and viewer.id == author_id:
        return True
    if viewer is not None and facts.blocks_viewer(author_id):
        return False
    match status.visibility:
        case Visibility.PUBLIC | Visibility.UNLISTED:
            return True
        case Visibility.PRIVATE:
            return viewer is not None and (
                facts.viewer_follows(author_id) or facts.mentions_viewer(status.id)
            )
        case _:
            return viewer is not None and facts.mentions_viewer(status.id)


class _Asked:
    """The viewer's relationships for one status: one query per question the rule asks."""

    def __init__(self, viewer: Account | None) -> None:
        self.viewer_id = viewer.id if viewer is not None else None

    def blocks_viewer(self, author_id: int) -> bool:
        return relations.is_blocking(author_id, self.viewer_id)

    def viewer_follows(self, author_id: int) -> bool:
        return relations.is_following(self.viewer_id, author_id)

    def mentions_viewer(self, status_id: int) -> bool:
        return is_mentioned(status_id, self.viewer_id)


class _Loaded:
    """The viewer's relationships for a set of statuses, loaded in bulk (at most three
    queries: authors blocking the viewer, authors the viewer follows, the viewer's mentions)."""

    def __init__(self, viewer: Account | None, rows: Sequence[Status]) -> None:
        self.blocked_by: set[int] = set()
        self.following: set[int] = set()
        self.mentioned: set[int] = set()
        if viewer is None or not rows:
            return
        authors = {s.account_id for s in rows} - {viewer.id}
        if authors:
            self.blocked_by = _ids(
                Block.account_id, Block.account_id.in_(authors),
                Block.target_account_id == viewer.id,
            )  # fmt: skip
        limited = [s for s in rows if s.visibility in (Visibility.PRIVATE, Visibility.DIRECT)]
        if any(s.visibility == Visibility.PRIVATE for s in limited):
            self.following = relations_following(viewer.id, {s.account_id for s in limited})
        if limited:
            self.mentioned = _ids(
                Mention.status_id, Mention.account_id == viewer.id,
                Mention.status_id.in_([s.id for s in limited]),
            )  # fmt: skip

    def blocks_viewer(self, author_id: int) -> bool:
        return author_id in self.blocked_by

    def viewer_follows(self, author_id: int) -> bool:
        return author_id in self.following

    def mentions_viewer(self, status_id: int) -> bool:
        return status_id in self.mentioned


def can_see(viewer: Account | None, status: Status) -> bool:
    """Whether the viewer may see the status (see `_allows`), asking the database only what the
    rule needs for it."""
    return _allows(viewer, status, _Asked(viewer))


def can_reblog(viewer: Account, status: Status) -> bool:
    """Anyone who sees a public or unlisted post may boost it; a private one only its author."""
    if status.visibility == Visibility.DIRECT:
        return False
    if status.visibility == Visibility.PRIVATE and status.account_id != viewer.id:
        return False
    return can_see(viewer, status) and not relations.is_blocking(viewer.id, status.account_id)


def visible_ids(viewer: Account | None, statuses: Sequence[Status]) -> set[int]:
    """Ids of the statuses `can_see` would allow, decided for a whole page by the same rule with
    the facts loaded in bulk (at most three queries). Authors (and boosted originals) must be
    loaded."""
    facts = _Loaded(viewer, [*statuses, *(s.reblog for s in statuses if s.reblog is not None)])
    return {s.id for s in statuses if _allows(viewer, s, facts)}


def permitted(viewer: Account | None, statuses: Sequence[Status]) -> list[Status]:
    """The statuses a thread or a lookup shows the viewer, in order (Mastodon's StatusFilter):
    those they may see, minus authors they block, mute or domain-block, and limited (silenced)
    authors they don't follow. Their own statuses always stay. A fixed number of queries."""
    seen = visible_ids(viewer, statuses)
    rows = [s for s in statuses if s.id in seen]
    others = {s.account for s in rows if viewer is None or s.account_id != viewer.id}
    if not others:
        return rows
    hidden = _hidden_authors(viewer, others)
    return [s for s in rows if s.account_id not in hidden]


def _hidden_authors(viewer: Account | None, authors: set[Account]) -> set[int]:
    ids = {a.id for a in authors}
    silenced = {a.id for a in authors if a.silenced_at is not None}
    if viewer is None:
        return silenced
    hidden = _ids(Block.target_account_id, Block.account_id == viewer.id,
                  Block.target_account_id.in_(ids))  # fmt: skip
    hidden |= _ids(
        Mute.target_account_id, Mute.account_id == viewer.id, Mute.target_account_id.in_(ids),
        or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()),
    )  # fmt: skip
    domains = {a.domain for a in authors if a.domain}
    if domains:
        blocked = _ids(AccountDomainBlock.domain, AccountDomainBlock.account_id == viewer.id,
                       AccountDomainBlock.domain.in_(domains))  # fmt: skip
        hidden |= {a.id for a in authors if a.domain in blocked}
    if silenced and viewer.silenced_at is None:
        hidden |= silenced - relations_following(viewer.id, silenced)
    return hidden


def relations_following(viewer_id: int, author_ids: set[int]) -> set[int]:
    """Which of `author_ids` the viewer follows (one query)."""
    if not author_ids:
        return set()
    return _ids(
        Follow.target_account_id, Follow.account_id == viewer_id,
        Follow.target_account_id.in_(author_ids),
    )  # fmt: skip


def _ids(column, *where) -> set:
    return set(db.session.scalars(select(column).where(*where)))
