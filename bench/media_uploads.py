"""Media uploads with a real worker: files go up through POST /api/v2/media (the app's test client,
a throw-away SQLite database) and a separate `fedi worker` process (Redis queue) processes them;
the time to ready is from the start of the upload to the first GET /api/v1/media/:id answering
200. Generated here (PyAV and Pillow):

- a 12-megapixel JPEG (4000x3000, a photo-like gradient with grain), ROUNDS uploads: ready p50/p95;
- a 60-second 1080p30 H.264/AAC MP4 that fits Mastodon's limits (copied as it is): ready time;
- the same video in H.264 4:4:4, which must be re-encoded: ready time against real time;
- the peak RSS of the worker process (its VmHWM; resource.getrusage of the waited-for child
  is printed too, but counts the bench process it was forked from).

    .venv/bin/python bench/media_uploads.py                # REDIS_URL, else redis://127.0.0.1/13
    .venv/bin/python bench/media_uploads.py --seconds 10   # shorter videos

Targets (issue 13): JPEG ready p95 <= 1.5 s; passthrough ready <= 2 s; re-encode <= 1x real
time on 2 cores; worker peak RSS <= 300 MB. Figures only; not a test.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fedi import create_app  # noqa: E402
from tests import media_files  # noqa: E402
from tests.conftest import reset_schema  # noqa: E402
from tests.helpers import bearer, make_local, test_settings, token_for  # noqa: E402

ROUNDS = 20


def photo(width: int = 4000, height: int = 3000) -> bytes:
    """A photo-like 12-megapixel JPEG: a sky-to-ground gradient, shapes and sensor grain."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for n in range(40):
        x, y = n * 97 % width, n * 61 % height
        draw.ellipse((x, y, x + 300, y + 200), fill=(n * 6 % 256, 120, 200 - n * 4 % 200))
    grain = Image.effect_noise((width, height), 12).convert("RGB")
    image = Image.blend(image, grain, 0.15)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def worker_env(tmp: Path, redis: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'test.db'}", REDIS_URL=redis, SECRET_KEY="test-secret-key",
        INSTANCE_DIR=str(tmp / "instance"), MEDIA_ROOT=str(tmp / "media"),
        LOCAL_DOMAIN="wren.test", LOCAL_HTTPS="true", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
    )  # fmt: skip
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> str:
    """The process's resident memory now and its peak so far (Linux /proc)."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    rss, hwm = (int(status[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM"))
    return f"worker RSS {rss} MB, peak so far {hwm} MB"


def ready_after(client, headers, data: bytes, name: str) -> tuple[float, float, dict]:
    """(seconds to the upload's answer, seconds to ready, the final entity)."""
    started = time.perf_counter()
    r = client.post("/api/v2/media", data={"file": (io.BytesIO(data), name)},
                    headers=headers, content_type="multipart/form-data")  # fmt: skip
    answered = time.perf_counter() - started
    assert r.status_code in (200, 202), r.get_json()
    body = r.get_json()
    while r.status_code != 200:
        time.sleep(0.02)
        r = client.get(f"/api/v1/media/{body['id']}", headers=headers)
        assert r.status_code in (200, 206), r.get_json()
    return answered, time.perf_counter() - started, r.get_json()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=60, help="length of the videos")
    ap.add_argument("--rounds", type=int, default=ROUNDS, help="JPEG uploads")
    ap.add_argument("--worker-threads", type=int, default=2)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    with tempfile.TemporaryDirectory(prefix="wren-media-bench-") as name:
        run(Path(name), redis, args)


def run(tmp: Path, redis: str, args: argparse.Namespace) -> None:
    settings = test_settings(tmp, QUEUE_IMMEDIATE=False, REDIS_URL=redis)
    settings.DATABASE_URL = f"sqlite:///{tmp / 'test.db'}"
    app = create_app(settings)
    reset_schema(app)
    from fedi.queue import huey

    huey.flush()  # a queue left over from an earlier run

    print("generating files ...", flush=True)
    started = time.perf_counter()
    jpeg = photo()
    fits, other = tmp / "fits.mp4", tmp / "reencode.mp4"
    frames = args.seconds * 30
    size = {"width": 1920, "height": 1080, "frames": frames, "fps": 30, "preset": "ultrafast"}
    media_files.video(path=fits, **size)
    media_files.video(path=other, pix_fmt="yuv444p", **size)
    print(f"  done in {time.perf_counter() - started:.0f} s: JPEG {len(jpeg) / 2**20:.1f} MB, "
          f"videos {fits.stat().st_size / 2**20:.1f} MB and {other.stat().st_size / 2**20:.1f} MB"
          f" ({args.seconds} s, 1920x1080, 30 fps)")  # fmt: skip

    worker = subprocess.Popen(
        [sys.executable, "-c", "from fedi.cli import main; main()", "worker",
         "--workers", str(args.worker_threads)],
        env=worker_env(tmp, redis), cwd=ROOT,
    )  # fmt: skip
    try:
        with app.app_context():
            headers = bearer(token_for(make_local("alice"), "write:media"))
            client = app.test_client()
            ready_after(client, headers, media_files.png(), "warm.png")  # the worker is up
            print(f"worker started: {memory(worker.pid)}")
            times, answers = [], []
            for _ in range(args.rounds):
                answered, ready, body = ready_after(client, headers, jpeg, "photo.jpg")
                answers.append(answered)
                times.append(ready)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"12-megapixel JPEG ({body['meta']['original']['size']} stored): ready p50 "
                  f"{statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s; "
                  f"upload answered in p50 {statistics.median(answers) * 1000:.0f} ms "
                  f"(v2 waits up to 2 s for a still image); {memory(worker.pid)}")  # fmt: skip
            for label, path in (("passthrough", fits), ("re-encode", other)):
                cpu = cpu_seconds(worker.pid)
                answered, ready, body = ready_after(client, headers, path.read_bytes(), "v.mp4")
                cpu = cpu_seconds(worker.pid) - cpu
                print(f"{label}: upload answered in {answered * 1000:.0f} ms (202), ready in "
                      f"{ready:.2f} s = {ready / args.seconds:.2f}x real time, worker CPU "
                      f"{cpu:.1f} s = {cpu / args.seconds / 2:.2f}x real time of 2 cores; "
                      f"{body['meta']['size']} {body['meta']['fps']} fps, "
                      f"{body['meta']['duration']} s; {memory(worker.pid)}")  # fmt: skip
        peak_hwm = memory(worker.pid)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"worker process at the end: {peak_hwm} ({args.worker_threads} worker threads)")
    print(
        f"getrusage(RUSAGE_CHILDREN).ru_maxrss: {peak:.0f} MB (Linux keeps the high-water mark"
        " of the forked bench process from before the worker's exec in it)"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
