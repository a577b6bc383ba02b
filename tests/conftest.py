"""Shared fixtures: one app and database per test run (SQLite by default, PostgreSQL when
DATABASE_URL says so), the schema built by the real migrations, tables emptied after each test,
Huey in immediate mode so tasks run for real inside the test, and named actors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from fedi import create_app, rate_counters
from fedi.extensions import db
from fedi.models import Account
from fedi.services import site_settings
from tests.helpers import (
    make_local,
    make_remote,
    service_unavailable,
    test_settings,
    worker_index,
)

# Property tests: the same examples on every run (CI stays reproducible), no deadline and no
# "generation is slow" check (two test processes share two cores with servers they start).
settings.register_profile(
    "wren", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("wren")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker gets its own PostgreSQL database and Redis database (the
    event bus prefixes its channels with the database number, so pub/sub is apart too), and so
    do the processes its tests start, which inherit this environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    index = worker_index()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        os.environ["DATABASE_URL"] = _worker_database(url, f"_{worker}")
    redis = os.environ.get("REDIS_URL", "")
    if redis:
        parts = urlsplit(redis)
        number = int(parts.path.strip("/") or 0) + 1 + index
        os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{number}"))


def _worker_database(url: str, suffix: str) -> str:
    """The URL of a database named after the worker, created if missing."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}{suffix}"
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def reset_schema(app: Flask) -> None:
    """Drop everything, then migrate from empty to head with the real migrations."""
    from flask_migrate import upgrade

    from fedi.config import ROOT

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.drop_all()
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(ROOT / "migrations"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from fedi.services import keys

    tmp = tmp_path_factory.mktemp("wren")
    application = create_app(test_settings(tmp))
    try:
        reset_schema(application)
    except Exception as exc:
        service_unavailable(f"the database ({exc.__class__.__name__}: {exc})")
    # One real keypair for the whole run: generating 2048-bit keys per account is slow.
    fixed = keys.generate_keypair()
    original = keys.generate_keypair
    keys.generate_keypair = lambda bits=2048: fixed
    yield application
    keys.generate_keypair = original


def empty_tables() -> None:
    """DELETE, children first: on tables this small it takes about 2 ms on PostgreSQL, where
    TRUNCATE takes about 60 ms (it replaces every table's files)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.rollback()
        empty_tables()
        site_settings.forget(app.config["FEDI"])
        db.session.remove()
        rate_counters.store().reset()  # sign-in attempts and API budgets start afresh


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@pytest.fixture
def outbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[Mail]:
    """E-mail as if an SMTP server took it (so sign-ups wait for confirmation): what was sent,
    in order."""
    from fedi.services import mail

    sent: list[Mail] = []

    def send(*, to: str, subject: str, body: str) -> bool:
        sent.append(Mail(to, subject, body))
        return True

    monkeypatch.setattr(app.config["FEDI"], "SMTP_SERVER", "smtp.wren.test")
    monkeypatch.setattr(mail, "send", send)
    return sent


@pytest.fixture
def alice() -> Account:
    return make_local("alice", display_name="Alice")


@pytest.fixture
def bob() -> Account:
    return make_local("bob", display_name="Bob")


@pytest.fixture
def carol() -> Account:
    return make_local("carol", display_name="Carol")


@pytest.fixture
def remote_dave() -> Account:
    return make_remote("dave")
