"""End read-only requests with COMMIT rather than ROLLBACK.

psycopg forgets every prepared statement of a connection when it rolls a transaction back (and
deallocates them on the server), and SQLAlchemy ends every session with a rollback. A request
that only read would then plan each of its statements again on every run, which on the W1
timelines costs more than executing them. When a request's transaction ran nothing but SELECTs
and the session holds no pending changes, committing ends it exactly as a rollback would, and
the connection keeps its prepared statements for the next request.
"""

from __future__ import annotations

import functools
import logging
import re

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from fedi.extensions import db

log = logging.getLogger(__name__)
WROTE = "wren_wrote"  # in the pooled connection's info: this transaction ran a non-SELECT
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|LOCK)\b", re.I)


@functools.lru_cache(maxsize=2048)
def is_read(statement: str) -> bool:
    """A SELECT (or WITH ... SELECT) that changes nothing (FOR UPDATE counts as a write).
    Cached: statements are the same few hundred compiled strings, and searching a long one
    costs more than the hash lookup."""
    head = statement.lstrip()[:6].upper()
    return head.startswith(("SELECT", "WITH")) and _WRITES.search(statement) is None


@event.listens_for(Engine, "begin")
def _begun(conn) -> None:
    conn.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if WROTE not in conn.info and not is_read(statement):
        conn.info[WROTE] = True


def _commit_reads(exc: BaseException | None) -> None:
    if exc is not None:
        return
    session = db.session()
    if session.get_transaction() is None or not session.is_active:
        return  # nothing began, or a failed statement left it for the rollback
    if session.new or session.dirty or session.deleted:
        return
    try:
        if session.connection().info.get(WROTE):
            return  # anything else is for the view to commit; the teardown rolls it back
        session.commit()
    except SQLAlchemyError as exc:  # a dead connection, say: the teardown's rollback cleans up
        log.warning("ending a read-only transaction failed: %s", str(exc).splitlines()[0])


def init_app(app: Flask) -> None:
    app.teardown_request(_commit_reads)
