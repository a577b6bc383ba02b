"""Web UI page weight and render time: seed a reader whose home timeline holds 20 posts, start the
embedded instance (`fedi serve`), sign in over HTTP and print

- first load of /home: the HTML plus every stylesheet and script it links, each gzip-compressed
  (level 6, as a typical reverse proxy), target < 60 KB;
- the HTML of one timeline page of 20 posts (the whole page and the HTMX fragment that "load more"
  fetches), raw and gzip-compressed, target < 20 KB;
- the server-side render time of that page: p50/p95 of 100 requests (after 10 warm-up ones) through
  the app in this process, no network, target p50 <= 15 ms.

    .venv/bin/python bench/page_weight.py

Figures only; not a test. Needs no database server (SQLite in a temporary instance directory).
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
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
RUNS, WARMUP = 100, 10
TEXTS = [
    "Morning walk by the river, the herons were out again. #birds",
    "Reading about ActivityPub delivery retries today; backoff with jitter is the way.",
    "@{other} did you see the new release notes? https://example.org/notes",
    "Short one.",
    "Tea, then code review, then more tea. A good Thursday. #dailylife",
]


def seed(instance_dir: str) -> None:
    """Users and 20 posts in the reader's home feed, tasks run at once (no server yet)."""
    os.environ.update(INSTANCE_DIR=instance_dir, LOG_LEVEL="WARNING")
    import logging

    from flask_migrate import upgrade

    from fedi import create_app
    from fedi.config import ROOT as APP_ROOT
    from fedi.config import Settings
    from fedi.services import accounts, follows, statuses

    settings = Settings.from_env()
    settings.QUEUE_IMMEDIATE = True
    app = create_app(settings)
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade(directory=str(APP_ROOT / "migrations"))
        make = accounts.create_local_account
        reader = make(username="reader", email="reader@example.com", password=PASSWORD)
        authors = [
            make(username=f"author{i}", email=f"author{i}@example.com", password=PASSWORD,
                 display_name=f"Author Number {i}")
            for i in range(4)
        ]  # fmt: skip
        for author in authors:
            follows.follow(account=reader, target=author)
        for n in range(POSTS):
            author = authors[n % len(authors)]
            text = TEXTS[n % len(TEXTS)].format(other=authors[(n + 1) % len(authors)].username)
            statuses.post_status(account=author, text=text)


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


def render_times(instance_dir: str) -> list[float]:
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
    times = []
    for i in range(WARMUP + RUNS):
        started = time.perf_counter()
        r = client.get("/home")
        elapsed = (time.perf_counter() - started) * 1000
        assert r.status_code == 200
        if i >= WARMUP:
            times.append(elapsed)
    return times


def report(rows: list[tuple[str, int, int]], page: bytes, fragment: bytes, times: list[float]):
    print("First load of /home (gzip level 6):")
    for url, raw, packed in rows:
        print(f"  {url:<40} {raw:>8} B raw {packed:>8} B gzip")
    total = sum(r[2] for r in rows)
    print(f"  {'total':<40} {sum(r[1] for r in rows):>8} B raw {total:>8} B gzip"
          f"  (target < 61440: {'ok' if total < 61440 else 'OVER'})")  # fmt: skip
    cards = page.count(b'<article class="status')
    print(f"Timeline page HTML ({cards} cards):")
    for name, body in (("whole page", page), ("HTMX fragment", fragment)):
        verdict = "gzip ok" if gz(body) < 20480 else "gzip OVER"
        verdict += ", raw ok" if len(body) < 20480 else ", raw over"
        print(f"  {name:<40} {len(body):>8} B raw {gz(body):>8} B gzip  (< 20480: {verdict})")
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    print(f"Server-side render of /home with {POSTS} posts, {len(times)} requests in process:")
    print(f"  p50 {p50:.2f} ms  p95 {p95:.2f} ms  (target p50 <= 15 ms: "
          f"{'ok' if p50 <= 15 else 'OVER'})")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wren_page_weight_") as tmp:
        instance_dir = str(Path(tmp) / "instance")
        seeded = subprocess.run(
            [sys.executable, __file__, "--seed", instance_dir], capture_output=True, text=True
        )
        if seeded.returncode != 0:
            sys.exit(f"seeding failed:\n{seeded.stdout}\n{seeded.stderr}")
        port = free_port()
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
        times = render_times(instance_dir)
        report(rows, page, fragment, times)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        seed(sys.argv[2])
    else:
        main()
