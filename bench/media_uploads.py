"""Time of one image upload through POST /api/v2/media (validate, turn upright, scale to
Mastodon's 3840x2160 and 640x360 styles, re-encode, blurhash, store), on an in-process app with
a throw-away SQLite database: a 12-megapixel photo and a laptop screenshot, both noise (the worst
case for the encoders), five uploads each; and the blurhash of one preview alone.

    .venv/bin/python bench/media_uploads.py

Figures only."""

from __future__ import annotations

import io
import sys
import tempfile
import time
import warnings
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fedi import create_app
from fedi.services import media_blurhash
from tests.conftest import reset_schema
from tests.helpers import bearer, make_local, test_settings, token_for

CASES = {
    "photo 4000x3000 JPEG": (4000, 3000, "JPEG"),
    "screenshot 1280x800 PNG": (1280, 800, "PNG"),
}
ROUNDS = 5


def noise(width: int, height: int, fmt: str) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 64).convert("RGB").save(out, fmt, quality=90)
    return out.getvalue()


def main() -> None:
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="wren-media-bench-") as tmp:
        uploads(Path(tmp))
    preview = Image.effect_noise((640, 360), 64).convert("RGB")
    started = time.perf_counter()
    for _ in range(20):
        media_blurhash.encode(preview)
    print(f"blurhash of a 640x360 preview: {(time.perf_counter() - started) / 20 * 1000:.1f} ms")


def uploads(tmp: Path) -> None:
    app = create_app(test_settings(tmp))
    reset_schema(app)
    with app.app_context():
        headers = bearer(token_for(make_local("alice"), "write:media"))
        client = app.test_client()
        for label, size in CASES.items():
            data = noise(*size)
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                r = client.post("/api/v2/media", data={"file": (io.BytesIO(data), "upload")},
                                headers=headers, content_type="multipart/form-data")  # fmt: skip
                times.append(time.perf_counter() - started)
                assert r.status_code == 200, r.get_json()
            times.sort()
            print(f"{label} ({len(data) // 1024} KiB): median {times[ROUNDS // 2] * 1000:.0f} ms, "
                  f"min {times[0] * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
