"""Services that tests may break, and Wren processes over them.

- `PrivateRedis`: a redis-server of the test's own on a free port (FLUSHALL, stop), never the
  shared one other tests use.
- `fresh_database`: a database of the test's own on the shared PostgreSQL server (from
  DATABASE_URL), copied from a migrated template made once per module, dropped after.
- `PrivateCluster`: a PostgreSQL cluster of the test's own (initdb into a temporary directory,
  pg_ctl on a free port; as the `postgres` user when the tests run as root), to restart.
- `Wren`: the environment of web and worker processes over such a database and Redis, with the
  clock offset file they read (`fedi/clock.py`), enqueueing by task name into their Redis, and
  an engine on their database for the test's own reads.

Missing services skip the tests (they fail under FEDI_TEST_REQUIRE_SERVICES=1 or CI).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from tests import helpers
from tests.processes import FEDI, ROOT, free_port, output, process, wait_for, wait_healthy

START_TIMEOUT = 30.0


# --- PostgreSQL databases on the shared server ------------------------------------------------


def admin_url() -> str:
    """A libpq URL of the shared PostgreSQL server (DATABASE_URL's), or skip."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        helpers.service_unavailable(
            "PostgreSQL for the fault tests (DATABASE_URL=postgresql+psycopg://... on whose "
            "server they make databases of their own)"
        )
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    plain = parsed.render_as_string(hide_password=False)
    try:
        import psycopg

        with psycopg.connect(plain, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        helpers.service_unavailable(f"PostgreSQL at {parsed.host} ({exc.__class__.__name__})")
    return plain


def sqlalchemy_url(libpq_url: str) -> str:
    return make_url(libpq_url).set(drivername="postgresql+psycopg").render_as_string(False)


def _database_url(libpq_url: str, name: str) -> str:
    return make_url(libpq_url).set(database=name).render_as_string(hide_password=False)


def _admin(libpq_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(libpq_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def migrate(session_app: Flask, database_url: str, tmp: Path) -> None:
    """The real migrations, run in this process on an app of their own."""
    from flask_migrate import upgrade

    with in_process_app(session_app, tmp, sqlalchemy_url(database_url), ""):
        upgrade(directory=str(ROOT / "migrations"))


@contextmanager
def template_database(session_app: Flask, tmp: Path) -> Iterator[tuple[str, str]]:
    """A migrated database to copy: (admin url, its name); dropped after."""
    admin = admin_url()
    name = f"fault_template_{secrets.token_hex(4)}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        migrate(session_app, _database_url(admin, name), tmp)
        yield admin, name
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(template: tuple[str, str]) -> Iterator[str]:
    """A database copied from the template; yields its SQLAlchemy URL, dropped after."""
    admin, source = template
    name = f"fault_{secrets.token_hex(4)}"
    _admin(admin, f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield sqlalchemy_url(_database_url(admin, name))
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def lock_waiters(engine: Engine, query_like: str) -> list[int]:
    """Backend pids of this database waiting for a lock while running a matching statement."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE :like"
                ),
                {"like": query_like},
            )
        )


def tables_written(engine: Engine, pid: int) -> set[str]:
    """The tables the backend's open transaction has written (holds RowExclusiveLock on)."""
    with engine.connect() as conn:
        return set(
            conn.scalars(
                text(
                    "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = :pid AND l.mode = 'RowExclusiveLock' AND l.granted "
                    "AND c.relkind = 'r'"
                ),
                {"pid": pid},
            )
        )


def backend_alive(engine: Engine, pid: int) -> bool:
    with engine.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
    return found is not None


@contextmanager
def in_process_app(
    session_app: Flask, tmp: Path, database_url: str, redis_url: str, **overrides: Any
) -> Iterator[Flask]:
    """An app in this process on another database and Redis (tasks it enqueues go to that
    Redis, for the worker processes), its context pushed, for the test's own setup and checks;
    afterwards its connections are closed and the queue and clock are the session app's
    again."""
    from fedi import clock, create_app, queue
    from fedi.extensions import db

    settings = helpers.test_settings(
        tmp, DATABASE_URL=database_url, REDIS_URL=redis_url, QUEUE_IMMEDIATE=False,
        LOCAL_HTTPS=False, ALLOWED_PRIVATE_ADDRESSES=["127.0.0.0/8"], **overrides,
    )  # fmt: skip
    app = create_app(settings)
    try:
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        queue.configure(session_app)
        clock.configure(session_app.config["FEDI"].TEST_CLOCK_OFFSET_FILE)


# --- a private Redis ----------------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a free loopback port, no persistence."""

    def __init__(self, tmp: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            helpers.service_unavailable("redis-server (not on PATH)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp / f"redis-{self.port}"
        self.dir.mkdir(parents=True)
        self.log = self.dir / "redis.log"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_for("the private Redis", self._ping, START_TIMEOUT, interval=0.05)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def _ping(self) -> bool:
        import redis

        if self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited: {self.log.read_text(errors='replace')}")
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def flushall(self) -> None:
        self.client().flushall()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


@contextmanager
def private_redis(tmp: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp)
    try:
        yield server
    finally:
        server.stop()


# --- a private PostgreSQL cluster ---------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        with suppress(OSError, subprocess.SubprocessError):
            bindir = subprocess.run(
                [found, "--bindir"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
            if (Path(bindir) / "initdb").exists():
                return Path(bindir)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if versions:
        return Path(versions[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class PrivateCluster:
    """initdb + pg_ctl on a free loopback port, trust authentication, no durability (fsync off:
    a test cluster). Commands run as `postgres` when the tests run as root (initdb refuses
    root)."""

    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            helpers.service_unavailable("PostgreSQL's initdb and pg_ctl (not found)")
        self.bin = bindir
        self.as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            import pwd

            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                helpers.service_unavailable("a postgres user to run a private cluster as root")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        # Not under pytest's tmp_path: its parents are private to root.
        self.root = Path(tempfile.mkdtemp(prefix="wren-pg-"))
        if owner is not None:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        made = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100 -c shared_buffers=32MB"
        )
        self.options = options

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, str(self.bin / tool), *args],
            capture_output=True, text=True, timeout=120, cwd=self.root,
        )  # fmt: skip

    def _ctl(self, *args: str) -> None:
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60", *args
        )
        assert done.returncode == 0, done.stdout + done.stderr + self.log()

    def log(self) -> str:
        with suppress(OSError):
            return self.logfile.read_text(errors="replace")
        return ""

    def start(self) -> None:
        self._ctl("-o", self.options, "start")

    def restart(self) -> None:
        """Fast shutdown (open sessions are cut, transactions rolled back), then start."""
        self._ctl("-m", "fast", "-o", self.options, "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    cluster = PrivateCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


# --- a remote server that records what it is sent -------------------------------------------


class Peer:
    """Inboxes on a loopback port: records every POST (path, JSON body, answer) in arrival
    order and answers what `answer(path, body)` says (202 by default)."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.posts: list[dict[str, Any]] = []
        self.answer = lambda path, body: (202, {})
        self._lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with peer._lock:
                    status, headers = peer.answer(self.path, body)
                    peer.posts.append({"path": self.path, "body": body, "status": status})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.domain = self.base.removeprefix("http://")
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def received(self, status: int = 202) -> list[tuple[str, str]]:
        """(inbox path, activity id) of the POSTs answered `status`, in arrival order."""
        with self._lock:
            return [(p["path"], p["body"]["id"]) for p in self.posts if p["status"] == status]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def peer() -> Iterator[Peer]:
    server = Peer()
    try:
        yield server
    finally:
        server.stop()


# --- Wren processes -----------------------------------------------------------------------------


def base_env(tmp: Path) -> dict[str, str]:
    drop = {"DATABASE_URL", "REDIS_URL", "LOCAL_HTTPS", "QUEUE_IMMEDIATE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        INSTANCE_DIR=str(tmp / "instance"), LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
        FLASK_SKIP_DOTENV="1", SECRET_KEY="fault-secret-key",
    )  # fmt: skip
    return env


class Wren:
    """One instance: web and worker processes over `database_url` and `redis_url`."""

    def __init__(self, tmp: Path, database_url: str, redis_url: str, **settings: str) -> None:
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.domain = f"127.0.0.1:{self.port}"
        self.database_url, self.redis_url = database_url, redis_url
        self.clock_file = str(tmp / "clock-offset")
        self.env = base_env(tmp)
        self.env.update(
            DATABASE_URL=database_url, REDIS_URL=redis_url, LOCAL_DOMAIN=self.domain,
            LOCAL_HTTPS="false", ALLOWED_PRIVATE_ADDRESSES="127.0.0.0/8",
            RATE_LIMIT_ENABLED="false", TEST_CLOCK_OFFSET_FILE=self.clock_file,
        )  # fmt: skip
        self.env.update(settings)
        self.engine = create_engine(database_url, poolclass=NullPool)
        self._n = 0
        self._huey: Any = None

    def logs(self, name: str) -> Path:
        self._n += 1
        return self.tmp / "logs" / f"{self._n:02d}-{name}"

    @contextmanager
    def web(self, threads: int = 8) -> Iterator[subprocess.Popen]:
        logs = self.logs("web")
        command = [
            sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
            "--config", "python:fedi.gunicorn_conf", "--bind", f"127.0.0.1:{self.port}",
            "--workers", "1", "--worker-class", "gthread", "--threads", str(threads), "app:app",
        ]  # fmt: skip
        with process(command, self.env, logs) as proc:
            wait_healthy(self.base, proc, logs)
            proc.logs = logs  # type: ignore[attr-defined]
            yield proc

    @contextmanager
    def worker(self, threads: int = 2) -> Iterator[subprocess.Popen]:
        logs = self.logs("worker")
        with process([*FEDI, "worker", "--workers", str(threads)], self.env, logs) as proc:
            proc.logs = logs  # type: ignore[attr-defined]
            yield proc

    def in_process(self, session_app: Flask) -> Any:
        """An app in this process on this instance's database, Redis and domain (setup and
        checks through the services; tasks it enqueues go to the workers)."""
        return in_process_app(session_app, self.tmp / "in-process", self.database_url,
                              self.redis_url, LOCAL_DOMAIN=self.domain)  # fmt: skip

    def set_clock(self, seconds: float) -> None:
        """Move every process of this instance to the real time plus `seconds`."""
        from fedi import clock

        clock.write_offset(self.clock_file, seconds)

    # -- the queue, from outside -------------------------------------------------------------

    def huey(self):
        """A Huey on this instance's Redis, knowing the tasks by the names the workers do."""
        if self._huey is None:
            from huey import RedisHuey

            import fedi.tasks  # noqa: F401  (registers every task)
            from fedi import queue

            self._huey = RedisHuey("wren", url=self.redis_url)
            for wrapper in queue.registry.values():
                self._huey._registry.register(wrapper.task_class)
        return self._huey

    def enqueue(self, name: str, *args: Any) -> None:
        """Put the task registered as `name` on the queue, as a web process or the workers'
        scheduler would (periodic tasks included)."""
        from fedi import queue

        self.huey().enqueue(queue.registry[name].s(*args))

    def queued(self) -> list[str]:
        """The names of the tasks in Redis, waiting or scheduled for later."""
        tasks = [*self.huey().pending(), *self.huey().scheduled()]
        return sorted(task.name for task in tasks)

    def close(self) -> None:
        self.engine.dispose()


def lines(proc: subprocess.Popen, needle: str) -> list[str]:
    """The lines of the process's output (stdout and stderr) that contain `needle`."""
    logs = proc.logs  # type: ignore[attr-defined]
    return [line for text_ in output(logs) for line in text_.splitlines() if needle in line]


def alive(proc: subprocess.Popen) -> None:
    """Fail with the process's output if it exited."""
    if proc.poll() is not None:
        logs = getattr(proc, "logs", None)
        details = "\n".join(output(logs)) if logs else ""
        raise AssertionError(f"process {proc.args!r} exited with {proc.returncode}\n{details}")


def eventually(what: str, probe, timeout: float = 30.0, *, procs=(), interval: float = 0.1):
    """`wait_for`, failing at once when one of `procs` died."""

    def check():
        for proc in procs:
            alive(proc)
        return probe()

    return wait_for(what, check, timeout, interval=interval)
