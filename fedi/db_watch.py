"""Callbacks after a commit that wrote something in particular, in this process.

Caches of database state (checked tokens, inbound signers, account references) register what
invalidates them (a test on the SQL of each statement) and what to call. A transaction that ran
such a statement calls the callback when it commits. The event fires just before the database
commits, so a cache must not refill with what a concurrent reader saw in between (TTLCache).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine

from fedi.db_reads import is_read

_PENDING = "wren_after_commit"  # in a connection's info: indexes of the watchers to call
_watchers: list[tuple[Callable[[str], bool], Callable[[], None]]] = []


def after_commit_of(writes: Callable[[str], bool], callback: Callable[[], None]) -> None:
    """Call `callback` after each commit of a transaction that ran a statement (not a read)
    for which `writes(sql)` is true."""
    _watchers.append((writes, callback))
    _matching.cache_clear()


@functools.lru_cache(maxsize=4096)
def _matching(statement: str) -> tuple[int, ...]:
    if is_read(statement):
        return ()
    return tuple(i for i, (writes, _) in enumerate(_watchers) if writes(statement))


@event.listens_for(Engine, "before_cursor_execute")
def _note(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    matched = _matching(statement)
    if matched:
        conn.info.setdefault(_PENDING, set()).update(matched)


@event.listens_for(Engine, "commit")
def _committed(conn) -> None:
    for index in sorted(conn.info.pop(_PENDING, ())):
        _watchers[index][1]()


@event.listens_for(Engine, "rollback")
def _rolled_back(conn) -> None:
    if conn.invalidated:  # the database went away: no info to read (the pool clears it when it
        return  # connects again), and reading it would raise out of the session's close
    conn.info.pop(_PENDING, None)
