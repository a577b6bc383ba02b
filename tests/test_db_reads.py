"""Read-only requests end with COMMIT, so a PostgreSQL connection keeps its prepared statements
(psycopg drops them all on ROLLBACK); anything that wrote is left to the view and rolled back."""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy import event

from fedi.db_reads import is_read
from fedi.extensions import db
from tests.helpers import bearer, token_for


def test_statements_that_read():
    assert is_read("SELECT accounts.id FROM accounts WHERE accounts.updated_at > 1")
    assert is_read("WITH page AS (SELECT id FROM statuses) SELECT * FROM page")
    assert is_read("  select deleted_at from statuses")
    assert not is_read("SELECT id FROM accounts FOR UPDATE")
    assert not is_read("UPDATE oauth_tokens SET last_used_at = 1")
    assert not is_read("WITH x AS (DELETE FROM marks RETURNING id) SELECT * FROM x")
    assert not is_read("INSERT INTO statuses (id) VALUES (1)")
    assert not is_read("SAVEPOINT sa_savepoint_1")


def _ends(app, client, method: str, path: str, **kw) -> list[str]:
    """How the request's transactions ended, seen on the engine (the request runs in its own
    thread: its own app context and session, as in production)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    on_commit, on_rollback = (
        (lambda _c: seen.append("commit")),
        (lambda _c: seen.append("rollback")),
    )
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        out = {}
        thread = threading.Thread(
            target=lambda: out.setdefault("r", getattr(client, method)(path, **kw))
        )
        thread.start()
        thread.join(30)
        assert out["r"].status_code < 400, out["r"].get_data(as_text=True)[:300]
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)
    return seen


def test_a_read_only_request_ends_with_commit(app, client, alice):
    token = token_for(alice)
    client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))  # first-use touch
    ends = _ends(app, client, "get", "/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert ends == ["commit"]


def test_a_transaction_that_wrote_is_not_committed_by_the_teardown(app):
    """The teardown commits only transactions that ran nothing but SELECTs."""
    from sqlalchemy import text

    from fedi.db_reads import _commit_reads

    with app.test_request_context("/"):
        db.session.execute(text("SELECT 1"))
        db.session.execute(text("UPDATE accounts SET note = note WHERE id = -1"))
        seen: list[str] = []
        on_commit = lambda _c: seen.append("commit")  # noqa: E731
        event.listen(db.engine, "commit", on_commit)
        try:
            _commit_reads(None)
        finally:
            event.remove(db.engine, "commit", on_commit)
            db.session.rollback()
        assert seen == []


def test_a_failed_statement_is_left_to_the_rollback(app):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from fedi.db_reads import _commit_reads

    with app.test_request_context("/"):
        with contextlib.suppress(DBAPIError):
            db.session.execute(text("SELECT * FROM no_such_table"))
        _commit_reads(None)  # must not raise
        db.session.rollback()
