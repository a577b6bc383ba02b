"""Real processes over real HTTP: the embedded instance (`fedi serve`), a web process and a
`fedi worker` sharing PostgreSQL and Redis, and the `fedi` CLI.

Every wait polls against a deadline, and every process started here is killed in `finally`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

from tests import helpers  # a module: its test_settings() must not be collected as a test
from tests.processes import (
    FEDI,
    embedded_env,
    free_port,
    output,
    process,
    run,
    wait_for,
    wait_healthy,
)

TASK_TIMEOUT = 20.0
PASSWORD = "correct horse battery"
T = TypeVar("T")

pytestmark = pytest.mark.slow


# --- a. the embedded instance ---------------------------------------------------------------

# Run by a second process against the same INSTANCE_DIR: with QUEUE_IMMEDIATE false and no
# consumer of its own, the tasks it triggers go into the SQLite queue for the server to run.
ENQUEUE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from fedi import create_app
    from fedi.services import accounts, follows, statuses
    from fedi.queue import huey

    app = create_app()
    with app.app_context():
        author = accounts.create_local_account(
            username="author", email="author@example.com", password=sys.argv[3]
        )
        reader = accounts.create_local_account(
            username="reader", email="reader@example.com", password=sys.argv[3]
        )
        follows.follow(account=reader, target=author)
        status = statuses.post_status(account=author, text=sys.argv[4])
        admin = accounts.authenticate(login=sys.argv[1], password=sys.argv[2])
        print(json.dumps({
            "author": author.id, "reader": reader.id, "status": status.id,
            "admin": admin.account.username if admin else None,
            "admin_role": admin.role.value if admin else None,
            "immediate": huey.immediate, "storage": type(huey.storage).__name__,
        }))
    """
)


def first_run_credentials(stdout: str) -> tuple[str, str]:
    login = re.search(r"^\s*login:\s+(\S+)\s+\(username: admin\)", stdout, re.MULTILINE)
    password = re.search(r"^\s*password:\s+(\S+)\s*$", stdout, re.MULTILINE)
    assert login and password, f"no first-run admin credentials in:\n{stdout}"
    return login.group(1), password.group(1)


def sqlite_rows(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path, timeout=5)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def check_public_documents(base: str) -> None:
    home = httpx.get(f"{base}/", timeout=10)
    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    assert "<title>Wren</title>" in home.text

    for path in ("/api/v1/instance", "/api/v2/instance"):
        response = httpx.get(f"{base}{path}", timeout=10)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/json"), path
        assert response.json()["version"].startswith("4.3.0 (compatible; Wren"), path

    links = httpx.get(f"{base}/.well-known/nodeinfo", timeout=10).json()["links"]
    hrefs = {link["href"] for link in links}
    assert hrefs == {f"{base}/nodeinfo/2.0", f"{base}/nodeinfo/2.1"}
    for href in sorted(hrefs):
        response = httpx.get(href, timeout=10)
        assert response.status_code == 200, href
        assert response.json()["usage"]["users"]["total"] == 1, href

    health = httpx.get(f"{base}/health", timeout=10)
    assert health.status_code == 200
    body = health.json()
    assert body["database"]["ok"] is True
    assert body["embedded"] is True
    assert body["queue"]["backend"] == "SqliteStorage"


@pytest.mark.embedded
def test_embedded_instance_serves_and_runs_tasks_in_process(tmp_path: Path) -> None:
    instance_dir, logs = tmp_path / "instance", tmp_path / "logs"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = embedded_env(instance_dir, port)
    with process([*FEDI, "serve"], env, logs) as server:
        # Given a fresh embedded instance
        wait_healthy(base, server, logs)
        login, password = first_run_credentials(output(logs)[0])
        assert login.startswith("admin@")
        check_public_documents(base)

        # When another process posts (its tasks go into the shared SQLite queue)
        text = "Hello from another process"
        script = run([sys.executable, "-c", ENQUEUE_SCRIPT, login, password, PASSWORD, text], env)
        assert script.returncode == 0, script.stdout + script.stderr
        ids = json.loads(script.stdout.strip().splitlines()[-1])
        assert ids["immediate"] is False and ids["storage"] == "SqliteStorage"
        assert ids["admin"] == "admin" and ids["admin_role"] == "admin"

        # Then the server's in-process consumer runs the fan-out: the post reaches the
        # follower's home feed and the author's own (a feed merge on follow only does the former)
        database = instance_dir / "wren.db"

        def feeds() -> bool:
            rows = sqlite_rows(
                database,
                "SELECT account_id FROM feed_entries WHERE status_id = ?",
                ids["status"],
            )
            return {ids["reader"], ids["author"]} <= {r[0] for r in rows}

        wait_for("the fan-out task to fill both home feeds", feeds, TASK_TIMEOUT, logs=logs)

        # ...and the follow task notified the author.
        def notified() -> bool:
            sql = "SELECT type FROM notifications WHERE account_id = ? AND from_account_id = ?"
            return sqlite_rows(database, sql, ids["author"], ids["reader"]) == [("follow",)]

        wait_for("the follow notification", notified, TASK_TIMEOUT, logs=logs)
        # The web process sees what the other process wrote.
        assert text in httpx.get(f"{base}/", timeout=10).text
        usage = httpx.get(f"{base}/nodeinfo/2.0", timeout=10).json()["usage"]
        assert usage["users"]["total"] == 3 and usage["localPosts"] == 1
    stdout, stderr = output(logs)
    assert server.returncode == 0, stderr  # SIGTERM: a graceful stop, task consumer included
    assert "Traceback" not in stdout + stderr + script.stderr, stdout + stderr + script.stderr


# --- b. web and worker over PostgreSQL and Redis ----------------------------------------------


def require_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        helpers.service_unavailable(f"Redis at {url} ({exc.__class__.__name__}: {exc})")


def test_web_and_worker_cooperate_over_postgres_and_redis(app: Flask, tmp_path: Path) -> None:
    from fedi import create_app, queue
    from fedi.events import bus, channels
    from fedi.extensions import db
    from fedi.models import FeedEntry
    from fedi.services import follows, statuses

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "needs DATABASE_URL=postgresql+psycopg://... and Redis: a separate worker process "
            "cannot share the SQLite test database's tasks and in-memory events"
        )
    redis_url = helpers.redis_url()
    require_redis(redis_url)
    logs = tmp_path / "worker"
    worker_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": str(tmp_path / "worker-instance"),
        "SECRET_KEY": "test-secret-key",
        "LOCAL_DOMAIN": helpers.TEST_DOMAIN,
        "PYTHONUNBUFFERED": "1",
    }
    # A web process of our own: same database as the session app, tasks go to Redis.
    web = create_app(helpers.test_settings(tmp_path, QUEUE_IMMEDIATE=False, REDIS_URL=redis_url))
    try:
        assert not queue.huey.immediate
        queue.huey.flush()  # no stale tasks from an earlier run
        with process([*FEDI, "worker"], worker_env, logs) as worker, web.app_context():
            # Given two accounts, one following the other, and a live subscription
            author, reader = helpers.make_local("author"), helpers.make_local("reader")
            both = {author.id, reader.id}
            home = channels.user(reader.id)
            subscription = bus.subscribe([home])  # returns once Redis confirms it
            try:
                follows.follow(account=reader, target=author)

                # When the author posts in this process
                status_id = statuses.post_status(account=author, text="Hello, worker").id

                # Then the worker process fans it out into both home feeds...
                def feeds() -> bool:
                    if worker.poll() is not None:
                        pytest.fail(f"the worker exited with {worker.returncode}:\n{output(logs)}")
                    db.session.rollback()  # a fresh snapshot each time
                    query = select(FeedEntry.account_id).where(FeedEntry.status_id == status_id)
                    return both <= set(db.session.scalars(query))

                wait_for("the worker to fill both home feeds", feeds, TASK_TIMEOUT, logs=logs)

                # ...and publishes the live update over Redis to the follower's stream.
                expected = (home, {"event": "update", "status_id": str(status_id)})
                wait_for(
                    f"the worker's update event on {home}",
                    lambda: subscription.get(timeout=0.5) == expected,
                    TASK_TIMEOUT,
                    interval=0,
                    logs=logs,
                )
            finally:
                subscription.close()
                db.session.rollback()
            db.engine.dispose()
        stdout, stderr = output(logs)
        assert "Traceback" not in stdout + stderr, stdout + stderr
    finally:
        queue.huey.flush()
        queue.configure(app)  # the session app: immediate mode again for the other tests
        assert queue.huey.immediate


# --- c. the CLI ---------------------------------------------------------------------------------


@pytest.mark.embedded
def test_fedi_cli_commands(tmp_path: Path) -> None:
    from werkzeug.security import check_password_hash

    instance_dir = tmp_path / "instance"
    database = instance_dir / "wren.db"
    env = embedded_env(instance_dir)

    def fedi(*args: str) -> subprocess.CompletedProcess:
        return run([*FEDI, *args], env)

    migrated = run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert sqlite_rows(database, "SELECT count(*) FROM users") == [(0,)]

    created = fedi("create-user", "ann", "--email", "ann@example.com")
    assert created.returncode == 0, created.stdout + created.stderr
    assert "Created @ann (user) <ann@example.com>" in created.stdout
    first = re.search(r"^Password: (\S+)$", created.stdout, re.MULTILINE)
    assert first, created.stdout

    again = fedi("create-user", "ann", "--email", "x@example.com")
    assert again.returncode != 0
    assert "already taken" in again.stderr, again.stdout + again.stderr
    assert "Traceback" not in again.stderr

    promoted = fedi("set-role", "ann", "moderator")
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    assert "@ann is now moderator" in promoted.stdout

    reset = fedi("reset-password", "ann")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    second = re.search(r"^Password: (\S+)$", reset.stdout, re.MULTILINE)
    assert second and second.group(1) != first.group(1), reset.stdout

    [(role, password_hash)] = sqlite_rows(database, "SELECT role, password_hash FROM users")
    assert role == "moderator"
    assert check_password_hash(password_hash, second.group(1))
    assert not check_password_hash(password_hash, first.group(1))

    shown = fedi("config")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    config = json.loads(shown.stdout)
    assert config["SECRET_KEY"] == "********"
    assert (instance_dir / "secret_key").read_text().strip() not in shown.stdout
    assert config["DATABASE_URL"] == f"sqlite:///{database}"
    assert config["REDIS_URL"] == ""
    assert config["INSTANCE_DIR"] == str(instance_dir)
