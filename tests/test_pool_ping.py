"""Pooled connections that died while idle (database restart, firewall timeout) are replaced on
checkout instead of failing the next request (fedi/extensions.py)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine, text

from fedi import extensions
from fedi.extensions import db
from tests.helpers import count_queries


@pytest.fixture
def ping_at_once(monkeypatch):
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE", 0.0)


def test_a_connection_killed_while_idle_is_replaced(app, ping_at_once):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            # SQLite has no server to lose; the pool still hands out working connections.
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
            return
        # A private one-connection pool, so that the killed connection is the one checked out
        # next and no dead connection is left behind in the app's pool for later tests.
        private = create_engine(engine.url, pool_size=1, max_overflow=0)
        try:
            with private.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            # The connection is back in the pool; kill its server process from outside the pool.
            url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(url, autocommit=True) as outside:
                outside.execute("SELECT pg_terminate_backend(%s)", (pid,))
            with private.connect() as conn:  # same pooled record: the ping fails, a new one is made
                assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        finally:
            private.dispose()


def test_busy_connections_are_not_pinged(app):
    """Within PING_AFTER_IDLE a checkout costs no extra statement."""
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with count_queries(engine) as seen, engine.connect() as conn:
            conn.execute(text("SELECT 2"))
    assert seen == ["SELECT 2"]
