"""Federation throughput: outbound deliveries to 1,000 loopback inboxes (10 % misbehaving) and
inbound signed activities per second, through a production server.

Starts gunicorn (fedi.gunicorn_conf, gthread 2x4) and a `fedi worker` on PostgreSQL + Redis, a
farm of inbox servers on 127.0.0.1 (bench/inbox_farm.py: 90 % healthy, the rest refuse, 500,
429, drip one byte a second or never answer), then:

- outbound: a local account followed by one account on each farm server posts statuses through
  the client API; for each healthy inbox, the time from the post to the receipt of a valid
  signed Create (p50/p95/max); deliveries per second; the longest attempt in the deliveries'
  per-attempt log (the 30 s deadline);
- inbound: pre-signed Like and Create activities from remote actors known to the server (keys
  cached, as after a first fetch), POSTed to the shared inbox over 16 keep-alive connections:
  202s per second, p50/p99 latency, non-202 answers, rows stored.

    .venv/bin/python bench/federation.py                      # database fedbench, Redis db 5
    .venv/bin/python bench/federation.py --posts 3 --inbound 4000 --only inbound

Figures only: the exit status is 0 unless setting up fails. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from email.utils import formatdate
from pathlib import Path

import httpx
import orjson
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inbox_farm import Farm, kinds_for  # noqa: E402
from memory import free_port, gunicorn_command, process_tree, stop, wait_healthy  # noqa: E402

DOMAIN = "fedbench.example"
PG = "postgresql+psycopg://postgres@{host}:5432/{name}"
TARGET_P95 = 5.0
TARGET_DEADLINE_MS = 30_000
TARGET_INBOUND = 500


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--followers", type=int, default=1000, help="remote followers, one per inbox")
    ap.add_argument("--bad-share", type=float, default=0.10, help="share of misbehaving inboxes")
    ap.add_argument("--posts", type=int, default=4, help="statuses: 1, then the rest in a row")
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between those")
    ap.add_argument("--inbound", type=int, default=8000, help="signed activities to POST")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--only", choices=["inbound", "outbound"])
    ap.add_argument("--model", default="2x4", help="gunicorn workers x threads")
    ap.add_argument("--worker-threads", type=int, default=4, help="fedi worker --workers")
    ap.add_argument("--db", default="fedbench")
    ap.add_argument("--pg-host", default="127.0.0.1")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    return ap.parse_args()


# -- setting up ------------------------------------------------------------------------------


def fresh_database(args) -> str:
    pg = ["-h", args.pg_host, "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", "--force", args.db], check=True)
    subprocess.run(["createdb", *pg, args.db], check=True)
    return PG.format(host=args.pg_host, name=args.db)


def server_env(args, url: str, instance_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=args.redis_url,
        LOCAL_DOMAIN=DOMAIN,
        LOCAL_HTTPS="true",
        SECRET_KEY="fed-bench",
        INSTANCE_DIR=instance_dir,
        LOG_LEVEL="WARNING",
        ALLOWED_PRIVATE_ADDRESSES="127.0.0.0/8",
    )
    return env


def seed(args, env: dict[str, str], ports: list[int], keypair: tuple[str, str]) -> dict:
    """Migrate; the local poster (with the farm's key), its followers, its token, a status to
    like, and the remote actors of the inbound phase with their keys."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from fedi import create_app
    from fedi.config import Settings
    from fedi.extensions import db
    from fedi.models import Account, Follow, OAuthApplication, OAuthToken, utcnow
    from fedi.services import accounts, statuses

    settings = Settings(
        LOCAL_DOMAIN=DOMAIN,
        LOCAL_HTTPS=True,
        DATABASE_URL=env["DATABASE_URL"],
        SECRET_KEY="fed-bench",
        INSTANCE_DIR=env["INSTANCE_DIR"],
        QUEUE_IMMEDIATE=True,
        LOG_LEVEL="WARNING",
    )
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        poster = accounts.create_local_account(
            username="poster", email="poster@fedbench.example", password="bench horse battery"
        )
        poster.private_key, poster.public_key = keypair
        liked = statuses.post_status(account=poster, text="Like me")  # before any follower
        now = utcnow()
        followers = [
            {
                "username": f"f{i}",
                "domain": f"127.0.0.1:{port}",
                "uri": f"http://127.0.0.1:{port}/users/f{i}",
                "inbox_url": f"http://127.0.0.1:{port}/inbox",
                "fetched_at": now,
            }
            for i, port in enumerate(ports)
        ]
        db.session.execute(insert(Account), followers)
        ids = db.session.scalars(db.select(Account.id).where(Account.domain.like("127.0.0.1:%")))
        db.session.execute(
            insert(Follow), [{"account_id": i, "target_account_id": poster.id} for i in ids]
        )
        client = OAuthApplication(
            name="bench",
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
            scopes="read write",
            client_id=uuid.uuid4().hex,
            client_secret=uuid.uuid4().hex,
        )
        db.session.add(client)
        db.session.flush()
        token = OAuthToken(
            application_id=client.id,
            account_id=poster.id,
            access_token=uuid.uuid4().hex,
            scopes="read write",
        )
        db.session.add(token)
        db.session.commit()
        remote_keys = [generate_keypair() for _ in range(4)]
        actors = [
            {
                "username": f"r{i}",
                "domain": f"r{i}.remote.example",
                "uri": f"https://r{i}.remote.example/users/r{i}",
                "inbox_url": f"https://r{i}.remote.example/users/r{i}/inbox",
                "public_key_id": f"https://r{i}.remote.example/users/r{i}#main-key",
                "public_key": remote_keys[i % 4][1],
                "fetched_at": now,
            }
            for i in range(200)
        ]
        db.session.execute(insert(Account), actors)
        db.session.commit()
        result = {
            "token": token.access_token,
            "liked": liked.uri,
            "actors": [
                (a["uri"], a["public_key_id"], remote_keys[i % 4][0]) for i, a in enumerate(actors)
            ],
        }
        db.session.remove()
        db.engine.dispose()
    return result


def generate_keypair() -> tuple[str, str]:
    from fedi.services import keys

    return keys.generate_keypair()


def start_processes(args, env: dict[str, str], port: int, instance_dir: str):
    web_cmd = gunicorn_command(port, args.model)
    worker_cmd = [
        sys.executable,
        "-c",
        "from fedi.cli import main; main()",
        "worker",
        "--workers",
        str(args.worker_threads),
    ]
    procs = []
    for name, cmd in (("web", web_cmd), ("worker", worker_cmd)):
        log = (Path(instance_dir) / f"{name}.log").open("wb")
        procs.append(
            subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
    return procs


# -- outbound --------------------------------------------------------------------------------


def pct(data: list[float], q: float) -> float:
    data = sorted(data)
    return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))] if data else float("nan")


def post_status(base: str, token: str, textual: str) -> tuple[float, str]:
    headers = {"Authorization": f"Bearer {token}", "Host": DOMAIN}
    started = time.time()
    resp = httpx.post(
        f"{base}/api/v1/statuses", json={"status": textual}, headers=headers, timeout=30
    )
    resp.raise_for_status()
    return started, resp.json()["uri"]


def wait_for(farm: Farm, uris: list[str], healthy: int, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        receipts, hits = farm.receipts()
        got = {u: 0 for u in uris}
        for r in receipts:
            if r.object_id in got and r.type == "Create" and r.valid:
                got[r.object_id] += 1
        if all(n >= healthy for n in got.values()) or time.monotonic() > deadline:
            return receipts, hits
        time.sleep(0.25)


def attempts_settled(engine, timeout: float) -> tuple[int, int]:
    """Wait until every claimed try is in the attempt log; (tries claimed, tries logged)."""
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            claimed = conn.scalar(text("SELECT coalesce(sum(attempts), 0) FROM deliveries"))
            logged = conn.scalar(text("SELECT count(*) FROM delivery_attempts"))
        if claimed == logged or time.monotonic() > deadline:
            return int(claimed), int(logged)
        time.sleep(0.5)


def cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its children, so far."""
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def outbound(args, base: str, token: str, farm: Farm, engine, procs) -> list[str]:
    healthy = farm.kinds.count("ok")
    roots = {"web": procs[0].pid, "worker": procs[1].pid, "inbox farm": farm.proc.pid}
    cpu = {name: cpu_seconds(pid) for name, pid in roots.items()}
    lines = [
        f"outbound: {args.followers} followers on {args.followers} inbox servers, "
        f"{args.followers - healthy} misbehaving ({', '.join(sorted(set(farm.kinds) - {'ok'}))})"
    ]
    posted = [post_status(base, token, "First post to a thousand servers")]
    receipts, _ = wait_for(farm, [posted[0][1]], healthy, 60)
    for i in range(1, args.posts):
        time.sleep(args.interval)
        posted.append(post_status(base, token, f"Post number {i + 1}"))
    receipts, hits = wait_for(farm, [u for _, u in posted], healthy, 60)
    cpu = {name: cpu_seconds(pid) - cpu[name] for name, pid in roots.items()}
    ok_ports = {p for p, k in zip(farm.ports, farm.kinds, strict=True) if k == "ok"}
    all_latencies, last = [], 0.0
    for n, (t0, uri) in enumerate(posted, 1):
        seen = {}
        for r in receipts:
            if r.object_id == uri and r.type == "Create" and r.valid and r.port in ok_ports:
                seen.setdefault(r.port, r.at - t0)
        lat = list(seen.values())
        all_latencies += lat
        last = max([last, *(t0 + x for x in lat)])
        lines.append(
            f"  post {n}: {len(lat)}/{healthy} healthy inboxes got a valid signed Create; "
            f"p50 {pct(lat, 50):.2f} s  p95 {pct(lat, 95):.2f} s  max {max(lat or [0]):.2f} s"
        )
    invalid = sum(1 for r in receipts if not r.valid)
    span = last - posted[0][0]
    lines.append(
        f"  all posts: p95 {pct(all_latencies, 95):.2f} s; {len(all_latencies)} healthy "
        f"deliveries in {span:.1f} s = {len(all_latencies) / span:.0f} deliveries/s "
        f"(post of the first status to the last healthy receipt); invalid signatures: {invalid}"
    )
    claimed, logged = attempts_settled(engine, 45)
    with engine.connect() as conn:
        longest = conn.scalar(text("SELECT max(duration_ms) FROM delivery_attempts")) or 0
        over = conn.scalar(
            text("SELECT count(*) FROM delivery_attempts WHERE duration_ms > :d"),
            {"d": TARGET_DEADLINE_MS + 500},
        )
        states = dict(
            conn.execute(text("SELECT state, count(*) FROM deliveries GROUP BY state")).all()
        )
    lines.append(
        f"  attempt log: {logged} tries logged of {claimed} claimed;"
        f" longest {longest / 1000:.2f} s; "
        f"{over} over the {TARGET_DEADLINE_MS / 1000:.0f} s deadline; rows by state {states}"
    )
    lines.append(f"  requests seen by kind of inbox: {dict(sorted(hits.items()))}")
    lines.append(
        "  CPU from the first post to the last healthy receipt: "
        + ", ".join(f"{name} {sec:.1f} s" for name, sec in cpu.items())
        + f" (worker: {cpu['worker'] * 1000 / max(len(all_latencies), 1):.2f} ms per delivery)"
    )
    p95 = pct(all_latencies, 95)
    complete = len(all_latencies) == healthy * len(posted)
    ok = complete and p95 <= TARGET_P95 and longest <= TARGET_DEADLINE_MS + 500
    lines.append(
        f"target outbound: healthy p95 <= {TARGET_P95:g} s, every healthy inbox served, "
        f"no try past {TARGET_DEADLINE_MS / 1000:.0f} s: {'MET' if ok else 'NOT MET'}"
    )
    return lines


# -- inbound ---------------------------------------------------------------------------------


def _signed_request(args_) -> bytes:
    """One raw HTTP request: a Like or a Create from a known remote actor, signed (cavage)."""
    from fedi.federation.signatures import sign_headers

    n, (actor, key_id, private_pem), liked = args_
    if n % 2:
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Like",
            "id": f"{actor}#likes/{n}",
            "actor": actor,
            "object": liked,
        }
    else:
        note = f"{actor}/statuses/{n}"
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Create",
            "id": f"{note}/activity",
            "actor": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": actor,
                "content": f"<p>Inbound number {n}</p>",
                "published": formatdate(usegmt=True),
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            },
        }
    body = orjson.dumps(activity)
    headers = sign_headers(
        method="POST",
        url=f"https://{DOMAIN}/inbox",
        body=body,
        key_id=key_id,
        private_key_pem=private_pem,
        headers={"Content-Type": "application/activity+json"},
    )
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST /inbox HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n").encode() + body


def presign(count: int, actors: list, liked: str) -> list[bytes]:
    jobs = [(n, actors[n % len(actors)], liked) for n in range(count)]
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool:
        return pool.map(_signed_request, jobs, chunksize=256)


async def _connection(port: int, requests: list[bytes], cursor: list[int], out: list) -> None:
    reader = writer = None
    while cursor[0] < len(requests):
        raw = requests[cursor[0]]
        cursor[0] += 1
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.perf_counter()
        writer.write(raw)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            reader = writer = None
            out.append((0, time.perf_counter() - started))
            continue
        lines = head.decode("latin-1").split("\r\n")
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        await reader.readexactly(length)
        out.append((int(lines[0].split(" ")[1]), time.perf_counter() - started))
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _blast(port: int, requests: list[bytes], connections: int) -> tuple[list, float]:
    out: list = []
    cursor = [0]
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, requests, cursor, out) for _ in range(connections)))
    return out, time.perf_counter() - started


def inbound(args, port: int, requests: list[bytes], engine, procs) -> list[str]:
    warm = max(200, len(requests) // 10)
    asyncio.run(_blast(port, requests[:warm], args.connections))
    with engine.connect() as conn:
        before = conn.scalar(text("SELECT count(*) FROM inbox_items"))
    roots = {"web": procs[0].pid, "worker": procs[1].pid}
    cpu = {name: cpu_seconds(pid) for name, pid in roots.items()}
    results, elapsed = asyncio.run(_blast(port, requests[warm:], args.connections))
    cpu = {name: cpu_seconds(pid) - cpu[name] for name, pid in roots.items()}
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM inbox_items")) - before
    accepted = sum(1 for code, _ in results if code == 202)
    lat = [s * 1000 for code, s in results if code == 202]
    codes: dict[int, int] = {}
    for code, _ in results:
        codes[code] = codes.get(code, 0) + 1
    rate = accepted / elapsed
    return [
        f"inbound: {len(results)} distinct signed activities (Like/Create, 200 remote actors, "
        f"keys cached) over {args.connections} keep-alive connections, after {warm} warm-up",
        f"  {accepted} answered 202 in {elapsed:.1f} s = {rate:.0f} accepted/s; "
        f"p50 {pct(lat, 50):.1f} ms  p99 {pct(lat, 99):.1f} ms; non-202: "
        f"{len(results) - accepted} {dict(sorted((c, n) for c, n in codes.items() if c != 202))}; "
        f"stored rows: {stored}",
        "  CPU during the run: "
        + ", ".join(f"{name} {sec:.1f} s" for name, sec in cpu.items())
        + f" (web: {cpu['web'] * 1000 / max(accepted, 1):.2f} ms per activity; the worker "
        "processes the stored activities meanwhile)",
        f"target inbound: >= {TARGET_INBOUND} accepted/s, all stored: "
        f"{'MET' if rate >= TARGET_INBOUND and stored == accepted == len(results) else 'NOT MET'}",
    ]


# -- main ------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    instance_dir = tempfile.mkdtemp(prefix="wren-fedbench-")
    keypair = generate_keypair()
    kinds = kinds_for(args.followers, args.bad_share)
    farm = Farm(kinds, keypair[1], f"https://{DOMAIN}/users/poster#main-key")
    procs = []
    try:
        url = fresh_database(args)
        subprocess.run(
            ["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=True, capture_output=True
        )
        env = server_env(args, url, instance_dir)
        seeded = seed(args, env, farm.ports, keypair)
        requests = []
        if args.only != "outbound":
            started = time.perf_counter()
            requests = presign(args.inbound, seeded["actors"], seeded["liked"])
            print(
                f"pre-signed {len(requests)} inbound activities in "
                f"{time.perf_counter() - started:.1f} s"
            )
        port = free_port()
        procs = start_processes(args, env, port, instance_dir)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, procs[0])
        time.sleep(1.0)  # the worker connects to Redis
        engine = create_engine(url)
        report = [
            f"== federation on PostgreSQL + Redis, gunicorn gthread {args.model}, "
            f"fedi worker --workers {args.worker_threads}, {os.cpu_count()} CPUs, "
            f"load average before {os.getloadavg()[0]:.1f} =="
        ]
        if args.only != "inbound":
            report += outbound(args, base, seeded["token"], farm, engine, procs)
        if args.only != "outbound":
            report += inbound(args, port, requests, engine, procs)
        print("\n".join(report))
        print(f"logs: {instance_dir}")
    finally:
        for proc in procs:
            stop(proc)
        farm.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
