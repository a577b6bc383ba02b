"""Statuses as light, read-only views for serialisation.

A timeline page is read many times more often than it is written, and building ORM objects (with
every column, identity map and change tracking) costs more than the queries themselves. A
`StatusView` holds the columns the Status entity shows, its author as an `AccountView` and, for a
boost, the boosted status: one query for a page with its authors, plus one for the boosted
statuses when the page has boosts. Views quack like the models for everything the entities read;
nothing writes through them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Select, Text, bindparam, cast, select

from fedi.extensions import db
from fedi.models import Account, Status

STATUS_FIELDS = (
    "id", "uri", "url", "account_id", "content", "spoiler_text", "visibility", "sensitive",
    "language", "in_reply_to_id", "in_reply_to_account_id", "reblog_of_id", "conversation_id",
    "application_id", "local", "replies_count", "reblogs_count", "favourites_count",
    "created_at", "edited_at",
)  # fmt: skip
ACCOUNT_FIELDS = (
    "id", "username", "domain", "display_name", "note", "actor_type", "uri", "url", "locked",
    "bot", "discoverable", "indexable", "hide_collections", "avatar_file", "avatar_remote_url",
    "header_file", "header_remote_url", "fields", "moved_to_account_id", "followers_count",
    "following_count", "statuses_count", "last_status_at", "suspended_at", "silenced_at",
    "created_at", "sensitized_at",
)  # fmt: skip


class AccountView(namedtuple("AccountRow", ACCOUNT_FIELDS)):
    """An account's columns, as a tuple (built at C speed from a row). `key` is the row itself:
    equal keys mean equal entities, so serialisers may cache by it without invalidation."""

    __slots__ = ()

    @property
    def fields(self) -> list[dict[str, Any]]:
        raw = self[_FIELDS]  # selected as text, so that the row hashes
        return orjson.loads(raw) if isinstance(raw, str | bytes) else (raw or [])

    @property
    def acct(self) -> str:
        return self.username if self.domain is None else f"{self.username}@{self.domain}"

    @property
    def local(self) -> bool:
        return self.domain is None

    @property
    def key(self) -> tuple[Any, ...]:
        return tuple(self)


class StatusView(namedtuple("StatusRow", STATUS_FIELDS)):
    """A status's columns as a tuple, plus (set per page) its author and its boosted status.
    `key` as for AccountView (the status's own columns only)."""

    account: AccountView | None
    reblog: StatusView | None

    def __new__(cls, values: Sequence[Any], account: AccountView | None) -> StatusView:
        view = tuple.__new__(cls, values)
        view.account, view.reblog = account, None
        return view

    @property
    def is_reblog(self) -> bool:
        return self.reblog_of_id is not None

    @property
    def key(self) -> tuple[Any, ...]:
        return tuple(self)


_FIELDS = ACCOUNT_FIELDS.index("fields")
_N = len(STATUS_FIELDS)
# Table columns, built once: no ORM compile or loading, and constructing column expressions
# per request would cost more than running the query.
_S = Status.__table__
_AUTHOR = Account.__table__.alias("author")
_COLUMNS = tuple(_S.c[f] for f in STATUS_FIELDS) + tuple(
    cast(_AUTHOR.c[f], Text) if f == "fields" else _AUTHOR.c[f] for f in ACCOUNT_FIELDS
)
_LOAD = (
    select(*_COLUMNS)
    .select_from(_S.join(_AUTHOR, _AUTHOR.c.id == _S.c.account_id))
    .where(_S.c.id.in_(bindparam("ids", expanding=True)), _S.c.deleted_at.is_(None))
)


def as_views(query: Select) -> Select:
    """`query` (selecting from `statuses`, with its filters and order) selecting view columns,
    the author joined. Build it once and reuse it: see services/timelines.py."""
    return query.with_only_columns(*_COLUMNS, maintain_column_froms=True).join(
        _AUTHOR, _AUTHOR.c.id == _S.c.account_id
    )


def rows_to_views(rows: Iterable[Sequence[Any]]) -> list[StatusView]:
    """Views from rows of `_COLUMNS`, with their boosted statuses loaded (one more query)."""
    authors: dict[int, AccountView] = {}
    views = []
    for row in rows:
        author_id = row[_N]
        author = authors.get(author_id)
        if author is None:
            author = authors[author_id] = AccountView._make(row[_N:])
        views.append(StatusView(row[:_N], author))
    boosted = {v.reblog_of_id for v in views if v.reblog_of_id is not None}
    if not boosted:
        return views
    found = {v.id: v for v in load(list(boosted))}
    for view in views:
        if view.reblog_of_id is not None:
            view.reblog = found.get(view.reblog_of_id)
    return [v for v in views if v.reblog_of_id is None or v.reblog is not None]


def load(ids: list[int]) -> list[StatusView]:
    """Views of live statuses by id, in the given order, skipping deleted ones."""
    if not ids:
        return []
    by_id = {v.id: v for v in rows_to_views(db.session.execute(_LOAD, {"ids": ids}).all())}
    return [by_id[i] for i in ids if i in by_id]
