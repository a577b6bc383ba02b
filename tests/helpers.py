"""Helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text

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


def worker_index() -> int:
    """0, or the pytest-xdist worker's number (gw0, gw1, ...): each has its own databases."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or f"redis://127.0.0.1:6379/{15 - worker_index()}"


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


def token_for(account: Account | None, scopes: str = "read write follow push") -> str:
    """A real OAuth application and access token for `account` (None: an app-only token)."""
    import secrets

    from fedi.models import OAuthApplication, OAuthToken

    app = OAuthApplication(
        name="Test client",
        website="https://client.example",
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        scopes=scopes,
        client_id=secrets.token_urlsafe(16),
        client_secret=secrets.token_urlsafe(32),
    )
    db.session.add(app)
    db.session.flush()
    token = OAuthToken(
        application_id=app.id,
        account_id=account.id if account else None,
        access_token=secrets.token_urlsafe(32),
        scopes=scopes,
    )
    db.session.add(token)
    db.session.commit()
    return token.access_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@functools.cache
def _counting(names: tuple[str, ...]):
    return text(" UNION ALL ".join(f"SELECT '{n}', count(*) FROM {n}" for n in names))


def row_counts() -> dict[str, int]:
    """How many rows every table has (one query): equal before and after a refused request."""
    names = tuple(t.name for t in db.metadata.sorted_tables)
    rows = db.session.execute(_counting(names)).all()
    db.session.commit()
    return dict(rows)


@contextmanager
def count_queries(engine=None) -> Iterator[list[str]]:
    """The SQL statements run inside the block, in order (on the app's engine unless given one).
    The site settings' reload is left out: it runs every few seconds per process, whichever
    request comes then (services/site_settings.py), not as part of a page."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if "FROM site_settings" not in statement:
            seen.append(statement)

    engine = db.engine if engine is None else engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
