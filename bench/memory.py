"""Memory of the embedded instance after a little traffic: RSS and PSS of every server process.

Starts `fedi serve` the way `make run` does (SQLite in a temporary INSTANCE_DIR, no DATABASE_URL or
REDIS_URL, so tasks run in-process), waits for /health, sends ~50 requests to the cheap public
endpoints, lets things settle, then prints per-process and total memory against the target.

    .venv/bin/python bench/memory.py

Figures only: the exit status is 0 whatever the outcome, unless the server does not start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TARGET_MIB = 150
PATHS = ["/", "/api/v1/instance", "/api/v2/instance", "/nodeinfo/2.0", "/health"]
ROUNDS = 10  # 10 rounds x 5 paths = 50 requests
START_TIMEOUT = 60.0
SETTLE_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(instance_dir: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(INSTANCE_DIR=instance_dir, HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING")
    return env


def start_server(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", "from fedi.cli import main; main()", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    deadline = started + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no healthy answer from {base}/health within {START_TIMEOUT:.0f} s")


def exercise(base: str) -> dict[int, int]:
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(ROUNDS):
            for path in PATHS:
                code = client.get(path).status_code
                statuses[code] = statuses.get(code, 0) + 1
    return statuses


def children(pid: int) -> list[int]:
    """Direct children, from /proc/<pid>/task/*/children, else by scanning every ppid."""
    found: set[int] = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found.update(int(c) for c in text.split())
        return sorted(found)
    except OSError:
        pass
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _ppid(int(entry.name)) == pid:
            found.add(int(entry.name))
    return sorted(found)


def _ppid(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def process_tree(root: int) -> list[int]:
    tree, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        tree.append(pid)
        todo.extend(children(pid))
    return tree


def _kib_field(path: str, name: str) -> int | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def describe(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"
    return cmd if len(cmd) <= 70 else cmd[:67] + "..."


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f}"


def report(root: int) -> tuple[int, int | None]:
    """Print the table; return the total RSS and PSS in KiB (PSS None when unreadable)."""
    rows = []
    for pid in process_tree(root):
        rss = _kib_field(f"/proc/{pid}/status", "VmRSS")
        pss = _kib_field(f"/proc/{pid}/smaps_rollup", "Pss")
        if rss is not None:
            rows.append((pid, rss, pss, describe(pid)))
    print(f"{'pid':>8} {'role':<8} {'RSS MiB':>8} {'PSS MiB':>8}  command")
    for pid, rss, pss, cmd in rows:
        role = "arbiter" if pid == root else "worker"
        print(f"{pid:>8} {role:<8} {mib(rss):>8} {mib(pss):>8}  {cmd}")
    total_rss = sum(r[1] for r in rows)
    pss_values = [r[2] for r in rows]
    total_pss = None if None in pss_values else sum(p for p in pss_values if p is not None)
    print(f"{'':>8} {'total':<8} {mib(total_rss):>8} {mib(total_pss):>8}  ({len(rows)} processes)")
    return total_rss, total_pss


def verdict(name: str, kib: int | None) -> str:
    if kib is None:
        return f"{name} total: not readable"
    outcome = "PASS" if kib < TARGET_MIB * 1024 else "FAIL"
    return f"{name} total {kib / 1024:.1f} MiB, target < {TARGET_MIB} MiB: {outcome}"


def gunicorn_command(port: int, model: str) -> list[str]:
    """gunicorn as the Procfile runs it (fedi.gunicorn_conf, gthread, --reuse-port), on loopback,
    with `model` = "<workers>x<threads>"."""
    workers, threads = model.split("x")
    return [
        sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
        "--config", "python:fedi.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
        "--workers", workers, "--worker-class", "gthread", "--reuse-port", "--threads", threads,
        "app:app",
    ]  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="wren-bench-") as tmp:
        log_path = Path(tmp) / "server.log"
        proc = start_server(embedded_env(str(Path(tmp) / "instance"), port), log_path)
        try:
            try:
                ready = wait_healthy(base, proc)
            except RuntimeError as exc:
                print(f"could not start the server: {exc}", file=sys.stderr)
                print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
                return 1
            print(f"embedded instance on {base}: healthy after {ready:.1f} s")
            statuses = exercise(base)
            summary = ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()))
            print(f"{sum(statuses.values())} requests to {', '.join(PATHS)}: {summary}")
            time.sleep(SETTLE_SECONDS)
            print(f"memory {SETTLE_SECONDS:.0f} s later (PSS counts shared pages once):")
            total_rss, total_pss = report(proc.pid)
        finally:
            stop(proc)
    print(verdict("RSS", total_rss) + " (counts pages shared between processes twice)")
    print(verdict("PSS", total_pss) + " (shares them out: the machine's real cost)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
