"""Running real server processes in tests: start, wait, stop; every wait has a deadline."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
FEDI = [sys.executable, "-c", "from fedi.cli import main; main()"]
START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 60.0
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(instance_dir: Path, port: int | None = None) -> dict[str, str]:
    """This environment without DATABASE_URL and REDIS_URL: SQLite, in-process queue, memory bus."""
    drop = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "LOCAL_DOMAIN", "LOCAL_HTTPS"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(INSTANCE_DIR=str(instance_dir), HOST="127.0.0.1", LOG_LEVEL="WARNING")
    env.update(FLASK_SKIP_DOTENV="1", PYTHONUNBUFFERED="1")
    if port is not None:
        env["PORT"] = str(port)
    # `fedi` loads ./.env without overriding: an empty value keeps a developer's .env from
    # pointing this embedded instance at their real database or Redis (empty means unset).
    dotenv = ROOT / ".env"
    if dotenv.exists():
        for name in ("DATABASE_URL", "REDIS_URL"):
            if re.search(rf"^\s*(export\s+)?{name}\s*=", dotenv.read_text(), re.MULTILINE):
                env[name] = ""
    return env


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    *,
    interval: float = 0.1,
    logs: Path | None = None,
) -> T:
    """Call `probe` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            details = "\n".join(output(logs)) if logs else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{details}")
        time.sleep(interval)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, a bounded wait, then SIGKILL to the whole process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # gunicorn workers, if the arbiter left any
    if proc.poll() is None:
        proc.wait(timeout=5)


@contextmanager
def process(args: list[str], env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen]:
    """A background process in its own session, stdout/stderr to files (never a full pipe)."""
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "stdout").open("wb") as out, (logs / "stderr").open("wb") as err:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
        try:
            yield proc
        finally:
            stop(proc)


def output(logs: Path) -> tuple[str, str]:
    return (
        (logs / "stdout").read_text(errors="replace"),
        (logs / "stderr").read_text(errors="replace"),
    )


def run(args: list[str], env: dict[str, str], *, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
    )


def http_get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def wait_healthy(base: str, proc: subprocess.Popen, logs: Path) -> httpx.Response:
    def probe() -> httpx.Response | None:
        if proc.poll() is not None:
            stdout, stderr = output(logs)
            pytest.fail(f"the server exited with {proc.returncode}:\n{stdout}\n{stderr}")
        response = http_get(f"{base}/health")
        return response if response is not None and response.status_code == 200 else None

    return wait_for(f"{base}/health", probe, START_TIMEOUT, interval=0.2, logs=logs)


def session_app_env(app, tmp_path: Path, redis_url: str) -> dict[str, str]:
    """The environment of a process sharing the session app's database (and `redis_url`, empty
    for none), with its own INSTANCE_DIR under `tmp_path`."""
    from tests import helpers

    env = {k: v for k, v in os.environ.items() if k not in {"LOCAL_HTTPS", "QUEUE_IMMEDIATE"}}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        SECRET_KEY="test-secret-key",
        LOCAL_DOMAIN=helpers.TEST_DOMAIN,
        INSTANCE_DIR=str(tmp_path / "instance"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        FLASK_SKIP_DOTENV="1",
    )
    return env


@contextmanager
def web(env: dict[str, str], logs: Path, *, threads: int = 8) -> Iterator[str]:
    """A gunicorn web process (one gthread worker); yields its host:port once it answers."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
        "--config", "python:fedi.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--worker-class", "gthread", "--threads", str(threads), "app:app",
    ]  # fmt: skip
    with process(command, env, logs) as proc:
        wait_healthy(f"http://127.0.0.1:{port}", proc, logs)
        yield f"127.0.0.1:{port}"
