"""Open streams at scale: many WebSocket and Server-Sent Events streams on the production setup.

Starts gunicorn (fedi.gunicorn_conf, gthread 2x4) and a `fedi worker` on PostgreSQL + Redis, with
a fresh database `streams_bench` holding --viewers readers who follow an author. Opens --streams
streams of the readers' home timelines, spread evenly over the readers (a quarter of them
Server-Sent Events, the rest WebSockets, from one asyncio client), then prints
- the web processes' memory and threads before and after: what one open stream costs;
- /api/v1/instance throughput with wrk -c16, without and with the streams open;
- for each of --posts posts by the author, the time from the POST to the update on each stream
  (p50, p99, slowest) and how many streams got it.

    .venv/bin/python bench/streams.py [--streams 1000] [--viewers 100] [--posts 5]

Each stream renders a post for its viewer (visibility, blocks, mutes, the viewer's own flags);
a viewer's streams in one process share that rendering, so --viewers sets how much rendering a
post costs: --viewers equal to --streams is the worst case.

Figures only: the exit status is 0 whatever the outcome, unless the server does not start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from wsproto import WSConnection
from wsproto.connection import ConnectionType
from wsproto.events import AcceptConnection, Ping, Request, TextMessage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import free_port, gunicorn_command, process_tree, stop, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "streams.example"
DATABASE = "streams_bench"
REDIS_URL = "redis://127.0.0.1:6379/8"
DELIVERY_TIMEOUT = 60.0


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--viewers", type=int, default=100)
    ap.add_argument("--posts", type=int, default=5)
    ap.add_argument("--model", default="2x4", help="gunicorn workers x threads")
    ap.add_argument("--pg-host", default="127.0.0.1")
    return ap.parse_args()


def seed(url: str, instance_dir: str, viewers: int) -> tuple[list[str], str]:
    """A fresh database with readers following an author; (reader tokens, author token)."""
    from flask_migrate import upgrade

    from fedi import create_app
    from fedi.config import Settings
    from fedi.extensions import db
    from fedi.models import OAuthApplication, OAuthToken
    from fedi.services import accounts, follows

    settings = Settings(
        LOCAL_DOMAIN=DOMAIN,
        LOCAL_HTTPS=True,
        DATABASE_URL=url,
        SECRET_KEY="streams-bench",
        INSTANCE_DIR=instance_dir,
        QUEUE_IMMEDIATE=True,
        LOG_LEVEL="WARNING",
    )
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        password = secrets.token_urlsafe(12)
        author = accounts.create_local_account(
            username="author", email="author@example.com", password=password
        )
        readers = []
        for n in range(viewers):
            name = f"reader{n}"
            reader = accounts.create_local_account(
                username=name, email=f"{name}@example.com", password=password
            )
            follows.follow(account=reader, target=author)
            readers.append(reader)
        client = OAuthApplication(
            name="streams bench",
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
            scopes="read write",
            client_id=secrets.token_urlsafe(16),
            client_secret=secrets.token_urlsafe(32),
        )
        db.session.add(client)
        db.session.flush()
        tokens = []
        for account in (*readers, author):
            token = secrets.token_urlsafe(32)
            db.session.add(
                OAuthToken(
                    application_id=client.id,
                    account_id=account.id,
                    access_token=token,
                    scopes="read write",
                )
            )
            tokens.append(token)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens[:-1], tokens[-1]


def start(args, url: str, instance_dir: str, port: int, logs: Path) -> list[subprocess.Popen]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        LOCAL_DOMAIN=DOMAIN,
        LOCAL_HTTPS="true",
        SECRET_KEY="streams-bench",
        INSTANCE_DIR=instance_dir,
        LOG_LEVEL="WARNING",
    )
    web = gunicorn_command(port, args.model)
    worker = [sys.executable, "-c", "from fedi.cli import main; main()", "worker"]
    procs = []
    for name, cmd in (("web", web), ("worker", worker)):
        out = (logs / f"{name}.log").open("wb")
        procs.append(
            subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
    return procs


def memory(root: int) -> tuple[float, int]:
    """RSS (MiB) and thread count of the web worker processes (the arbiter excluded)."""
    rss, threads = 0, 0
    for pid in process_tree(root)[1:]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, threads


def wrk(port: int, seconds: int = 5) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c16",
            f"-d{seconds}s",
            "-H",
            f"Host: {DOMAIN}",
            f"http://127.0.0.1:{port}/api/v1/instance",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


class Streams:
    """Every stream's reader in one event loop; `got[status_id]` holds arrival times."""

    def __init__(self, port: int, tokens: list[str]) -> None:
        self.port, self.tokens = port, tokens
        self.got: dict[str, list[float]] = {}
        self.open = 0
        self.tasks: list[asyncio.Task] = []

    def _arrived(self, payload: str) -> None:
        self.got.setdefault(json.loads(payload)["id"], []).append(time.perf_counter())

    async def websocket(self, token: str, ready: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        ws = WSConnection(ConnectionType.CLIENT)
        target = f"/api/v1/streaming?stream=user&access_token={token}"
        writer.write(ws.send(Request(host=DOMAIN, target=target)))
        while data := await reader.read(65536):
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, AcceptConnection):
                    self.open += 1
                    ready.set()
                elif isinstance(event, Ping):
                    writer.write(ws.send(event.response()))
                elif isinstance(event, TextMessage):
                    frame = json.loads(event.data)
                    if frame.get("event") == "update":
                        self._arrived(frame["payload"])

    async def event_stream(self, token: str, ready: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            f"GET /api/v1/streaming/user HTTP/1.1\r\nHost: {DOMAIN}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " in head.split(b"\r\n")[0]:
            self.open += 1
        ready.set()
        pending = ""
        while data := await reader.read(65536):
            pending += data.decode(errors="replace")
            for line in pending.split("\n")[:-1]:
                if line.startswith("data: {"):
                    self._arrived(line[len("data: ") :])
            pending = pending.split("\n")[-1]

    async def open_all(self, count: int) -> None:
        for i in range(count):
            ready = asyncio.Event()
            opener = self.event_stream if i % 4 == 3 else self.websocket
            token = self.tokens[i % len(self.tokens)]
            self.tasks.append(asyncio.create_task(opener(token, ready)))
            await asyncio.wait_for(ready.wait(), 10)


async def run(args, port: int, readers: list[str], author_token: str, web_root: int) -> None:
    before_rss, before_threads = memory(web_root)
    rate_before = wrk(port)
    wrk(port, 2)  # warm up
    streams = Streams(port, readers)
    started = time.perf_counter()
    await streams.open_all(args.streams)
    opened_in = time.perf_counter() - started
    await asyncio.sleep(3)
    after_rss, after_threads = memory(web_root)
    rate_during = await asyncio.to_thread(wrk, port)
    print(
        f"opened {streams.open:,} of {args.streams:,} streams in {opened_in:.1f} s "
        f"({args.streams - args.streams // 4:,} WebSocket, {args.streams // 4:,} SSE)"
    )
    print(
        f"web workers: RSS {before_rss:.1f} -> {after_rss:.1f} MiB "
        f"({(after_rss - before_rss) * 1024 / max(streams.open, 1):.1f} KiB per stream), "
        f"threads {before_threads} -> {after_threads}"
    )
    print(
        f"/api/v1/instance, wrk -c16: {rate_before:,.0f} req/s without streams, "
        f"{rate_during:,.0f} req/s with {streams.open:,} open"
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for n in range(args.posts):
            t0 = time.perf_counter()
            response = await http.post(
                "/api/v1/statuses",
                json={"status": f"Post {n} to every stream"},
                headers={"Authorization": f"Bearer {author_token}", "Host": DOMAIN},
            )
            status_id = response.json()["id"]
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while len(streams.got.get(status_id, [])) < streams.open:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.01)
            times = sorted((t - t0) * 1000 for t in streams.got.get(status_id, []))
            if not times:
                print(f"post {n}: no stream got it within {DELIVERY_TIMEOUT:.0f} s")
                continue
            p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
            print(
                f"post {n}: {len(times):,} of {streams.open:,} streams got it; "
                f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, slowest {times[-1]:.0f} ms"
            )
            await asyncio.sleep(1)
    for task in streams.tasks:
        task.cancel()


def main() -> int:
    args = parse_args()
    pg = ["-h", args.pg_host, "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", *pg, DATABASE], check=True)
    subprocess.run(
        ["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"], check=True, capture_output=True
    )
    url = f"postgresql+psycopg://postgres@{args.pg_host}:5432/{DATABASE}"
    with tempfile.TemporaryDirectory(prefix="wren-streams-") as instance_dir:
        readers, author_token = seed(url, instance_dir, args.viewers)
        port = free_port()
        procs = start(args, url, instance_dir, port, Path(instance_dir))
        try:
            wait_healthy(f"http://127.0.0.1:{port}", procs[0])
            print(
                f"== {args.streams:,} streams of {args.viewers:,} viewers, gunicorn gthread "
                f"{args.model}, PostgreSQL + Redis, fedi worker, {os.cpu_count()} CPUs =="
            )
            asyncio.run(run(args, port, readers, author_token, procs[0].pid))
        finally:
            for proc in procs:
                stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
