"""Shared fixtures: one app and database per test run (SQLite by default, PostgreSQL when
DATABASE_URL says so), the schema built by the real migrations, tables emptied after each test,
Huey in immediate mode so tasks run for real inside the test, and named actors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from fedi import create_app
from fedi.config import Settings
from fedi.extensions import db
from fedi.models import Account, utcnow

REQUIRE_SERVICES = bool(os.environ.get("FEDI_TEST_REQUIRE_SERVICES") or os.environ.get("CI"))
TEST_DOMAIN = "wren.test"


def service_unavailable(what: str) -> None:
    """Fail where services are promised (CI), skip on a developer machine without them."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is not reachable, and this run requires it")
    pytest.skip(f"{what} is not reachable")


def database_url(tmp: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def test_settings(tmp: Path, **overrides: object) -> Settings:
    settings = Settings(
        LOCAL_DOMAIN=TEST_DOMAIN,
        LOCAL_HTTPS=True,
        DATABASE_URL=database_url(tmp),
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        SECRET_KEY="test-secret-key",
        INSTANCE_DIR=str(tmp / "instance"),
        MEDIA_ROOT=str(tmp / "media"),
        QUEUE_IMMEDIATE=True,
        LOG_LEVEL="WARNING",
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


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
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.rollback()
        empty_tables()
        db.session.remove()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


def make_local(username: str, **kwargs) -> Account:
    from fedi.services import accounts

    return accounts.create_local_account(
        username=username,
        email=f"{username}@example.com",
        password="correct horse battery",
        **kwargs,
    )


def make_remote(username: str, domain: str = "remote.example", **kwargs) -> Account:
    base = f"https://{domain}/users/{username}"
    account = Account(
        username=username,
        domain=domain,
        uri=base,
        url=f"https://{domain}/@{username}",
        inbox_url=f"{base}/inbox",
        shared_inbox_url=f"https://{domain}/inbox",
        followers_url=f"{base}/followers",
        public_key="",
        fetched_at=utcnow(),
        **kwargs,
    )
    db.session.add(account)
    db.session.commit()
    return account


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
