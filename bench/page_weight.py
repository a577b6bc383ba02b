"""Web UI page weight and render time.

Seeds a reader whose home timeline holds 20 realistic posts (tests/web/realistic.py: content
warnings, mentions, links, hashtags, replies, an image, boosts of local and remote posts), starts
the embedded instance (`fedi serve`), signs in over HTTP and prints

- first load of /home: the HTML plus every stylesheet and script it links, each gzip-compressed
  (level 6, as a typical reverse proxy), target < 60 KB;
- the HTML of one timeline page of 20 posts (the whole page and the HTMX fragment that "load more"
  fetches), raw and gzip-compressed, target < 20 KB raw;
- the server-side render time of that page, in this process through the app (no network): on the
  small SQLite seed, and on the client API's benchmark database W1 (bench/w1_seed.py, PostgreSQL
  database `w1`, its viewer's home: 10,000 authors, 1,000,000 posts), p50/p99 of --runs requests
  after 20 warm-up ones, with the number of SQL queries per page; target p50 <= 15 ms on W1.

    .venv/bin/python bench/page_weight.py
    .venv/bin/python bench/page_weight.py --w1-url postgresql+psycopg://postgres@127.0.0.1:5432/w1
    .venv/bin/python bench/page_weight.py --no-w1 --runs 200

W1 is only read: the viewer is signed in by writing Flask's signed session cookie in the test
client (nothing is written to the database); when W1 is not there the W1 figures are skipped.
Figures only; not a test (tests/web/test_page_weight.py asserts the HTML budget).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from memory import embedded_env, free_port, start_server, stop, wait_healthy  # noqa: E402

PASSWORD = "correct horse battery"
POSTS = 20
WARMUP = 20
W1_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/w1"


def seed(instance_dir: str) -> None:
    """The realistic home timeline, tasks run at once (no server yet)."""
    os.environ.update(INSTANCE_DIR=instance_dir, LOG_LEVEL="WARNING")
    import logging

    from flask_migrate import upgrade

    from fedi import create_app
    from fedi.config import ROOT as APP_ROOT
    from fedi.config import Settings
    from tests.web.realistic import seed_home

    settings = Settings.from_env()
    settings.QUEUE_IMMEDIATE = True
    app = create_app(settings)
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade(directory=str(APP_ROOT / "migrations"))
        seed_home("reader")


def sign_in(client: httpx.Client) -> None:
    page = client.get("/auth/sign_in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    r = client.post(
        "/auth/sign_in",
        data={"csrf_token": token.group(1), "login": "reader", "password": PASSWORD},
    )
    assert r.status_code in (302, 303), f"sign-in failed: {r.status_code}"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def first_load(client: httpx.Client) -> tuple[bytes, list[tuple[str, int, int]]]:
    home = client.get("/home")
    assert home.status_code == 200, home.status_code
    html = home.content
    assets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assets += re.findall(rb'<script src="([^"]+)"', html)
    rows = [("/home (HTML)", len(html), gz(html))]
    for url in dict.fromkeys(a.decode() for a in assets):
        body = client.get(url).content
        rows.append((url, len(body), gz(body)))
    return html, rows


class Timer:
    """Request times and SQL statements per request of a test client on `app`."""

    def __init__(self, app) -> None:
        from sqlalchemy import event

        from fedi.extensions import db

        self.statements = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.statements += 1

    def run(self, client, path: str, runs: int) -> tuple[list[float], list[float], int, bytes]:
        """Wall-clock and CPU milliseconds per request (CPU: this process's, which a busy
        machine inflates less), statements in the last request, its body."""
        times, cpu, body = [], [], b""
        for i in range(WARMUP + runs):
            self.statements = 0
            started, used = time.perf_counter(), time.process_time()
            r = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            used = (time.process_time() - used) * 1000
            assert r.status_code == 200, (path, r.status_code)
            if i >= WARMUP:
                times.append(elapsed)
                cpu.append(used)
            body = r.get_data()
        return times, cpu, self.statements, body


def render_times(instance_dir: str, runs: int) -> tuple[list[float], list[float], int]:
    from fedi import create_app
    from fedi.config import Settings

    os.environ["INSTANCE_DIR"] = instance_dir
    app = create_app(Settings.from_env())
    client = app.test_client()
    page = client.get("/auth/sign_in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    client.post("/auth/sign_in", data={"csrf_token": token.group(1), "login": "reader",
                                       "password": PASSWORD})  # fmt: skip
    times, cpu, statements, _ = Timer(app).run(client, "/home", runs)
    return times, cpu, statements


def w1_render_times(url: str, runs: int) -> tuple[list[float], list[float], int, int] | str:
    """Render times of the W1 viewer's /home, or why they were not measured."""
    from sqlalchemy import create_engine, text

    try:
        with create_engine(url).connect() as conn:
            found = conn.execute(text("SELECT 1 FROM accounts WHERE username = 'viewer' "
                                      "AND domain IS NULL")).first()  # fmt: skip
    except Exception as exc:  # any connection problem means: not there
        return f"no W1 database at {url} ({type(exc).__name__})"
    if not found:
        return f"{url} holds no W1 seed (bench/w1_seed.py)"
    from sqlalchemy import select

    from fedi import create_app
    from fedi.config import Settings
    from fedi.extensions import db
    from fedi.http import session as http_session
    from fedi.models import Account

    settings = Settings(
        LOCAL_DOMAIN="w1.example", LOCAL_HTTPS=True, DATABASE_URL=url, SECRET_KEY="page-weight",
        INSTANCE_DIR=tempfile.mkdtemp(prefix="wren_w1_web_"), LOG_LEVEL="WARNING",
    )  # fmt: skip
    app = create_app(settings)
    with app.app_context(), app.test_request_context():
        viewer = db.session.scalar(
            select(Account).where(Account.username == "viewer", Account.domain.is_(None))
        )
        user_id, fingerprint = viewer.user.id, http_session.fingerprint(viewer.user)
    client = app.test_client()
    with client.session_transaction() as cookie:  # signed in, without writing to W1
        cookie[http_session.USER_KEY] = user_id
        cookie[http_session.FINGERPRINT_KEY] = fingerprint
    times, cpu, statements, body = Timer(app).run(client, "/home", runs)
    return times, cpu, statements, body.count(b"<article ")


def _pct(times: list[float], q: float) -> float:
    data = sorted(times)
    return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))]


def report(rows, page: bytes, fragment: bytes, local, w1, runs: int) -> None:
    print("First load of /home (gzip level 6):")
    for url, raw, packed in rows:
        print(f"  {url:<40} {raw:>8} B raw {packed:>8} B gzip")
    total = sum(r[2] for r in rows)
    print(f"  {'total':<40} {sum(r[1] for r in rows):>8} B raw {total:>8} B gzip"
          f"  (target < 61440: {'ok' if total < 61440 else 'OVER'})")  # fmt: skip
    cards = page.count(b'<article id="status-')
    print(f"Timeline page HTML ({cards} cards, realistic posts):")
    for name, body in (("whole page", page), ("HTMX fragment", fragment)):
        verdict = "ok" if len(body) < 20480 else "OVER"
        print(f"  {name:<40} {len(body):>8} B raw {gz(body):>8} B gzip  (raw < 20480: {verdict})")
    print(f"Server-side render of /home ({POSTS} posts), in process, {runs} requests "
          f"after {WARMUP} warm-up:")  # fmt: skip
    times, cpu, statements = local
    print(f"  {'SQLite, the seed above':<26} p50 {_pct(times, 50):6.2f} ms  "
          f"p99 {_pct(times, 99):6.2f} ms  CPU p50 {_pct(cpu, 50):6.2f} ms  "
          f"{statements} SQL statements")  # fmt: skip
    if isinstance(w1, str):
        print(f"  W1: not measured: {w1}")
        return
    times, cpu, statements, cards = w1
    p50 = _pct(times, 50)
    print(f"  {'W1 (PostgreSQL), viewer':<26} p50 {p50:6.2f} ms  p99 {_pct(times, 99):6.2f} ms  "
          f"CPU p50 {_pct(cpu, 50):6.2f} ms  {statements} SQL statements, {cards} cards  "
          f"(target p50 <= 15 ms: {'ok' if p50 <= 15 else 'OVER'})")  # fmt: skip
    print(
        f"  load average after measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
        "(other processes' load inflates wall-clock times, hardly CPU times)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--w1-url", default=W1_URL)
    ap.add_argument("--no-w1", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wren_page_weight_") as tmp:
        instance_dir = str(Path(tmp) / "instance")
        port = free_port()  # first: the seed's links name the server's host and port
        seeded = subprocess.run(
            [sys.executable, __file__, "--seed", instance_dir], capture_output=True, text=True,
            env={**os.environ, "PORT": str(port)},
        )  # fmt: skip
        if seeded.returncode != 0:
            sys.exit(f"seeding failed:\n{seeded.stdout}\n{seeded.stderr}")
        base = f"http://127.0.0.1:{port}"
        server = start_server(embedded_env(instance_dir, port), Path(tmp) / "server.log")
        try:
            wait_healthy(base, server)
            with httpx.Client(base_url=base, timeout=10, follow_redirects=False) as client:
                sign_in(client)
                page, rows = first_load(client)
                fragment = client.get(
                    f"/home?max_id={2**63 - 1}", headers={"HX-Request": "true"}
                ).content
        finally:
            stop(server)
        os.environ["PORT"] = str(port)
        local = render_times(instance_dir, args.runs)
    w1 = "skipped (--no-w1)" if args.no_w1 else w1_render_times(args.w1_url, args.runs)
    report(rows, page, fragment, local, w1, args.runs)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        seed(sys.argv[2])
    else:
        main()
