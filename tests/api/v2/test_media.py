"""POST /api/v2/media: a still image is ready by the time the request answers (tests run tasks at
once), so 200 (not 202) with the finished attachment, its URLs filled in; the instance entity
advertises what is accepted, and a real file of each advertised type goes through."""

from __future__ import annotations

import io

from PIL import Image

from fedi.services import media_uploads
from tests import media_files
from tests.api.v1.test_media import png, upload
from tests.helpers import bearer, token_for


def test_v2_upload_is_finished_at_once(client, alice):
    r = upload(client, token_for(alice, "write:media"), png(30, 20), description="small")

    assert r.status_code == 200
    body = r.get_json()
    assert body["url"].startswith("https://wren.test/media/media_attachments/")
    assert body["preview_url"] and body["blurhash"]
    fetched = client.get(f"/api/v1/media/{body['id']}", headers=bearer(token_for(alice, "write")))
    assert fetched.status_code == 200 and fetched.get_json() == body


def _sample(mime: str) -> bytes:
    """A small real file of the type `mime` names."""
    if mime.startswith("image/"):
        out = io.BytesIO()
        Image.new("RGB", (12, 10), "purple").save(out, mime.split("/")[1].upper())
        return out.getvalue()
    made = {
        "video/mp4": lambda: media_files.video(),
        "video/quicktime": lambda: media_files.video(fmt="mov"),
        "video/webm": lambda: media_files.video(codec="libvpx-vp9", fmt="webm"),
        "video/ogg": lambda: media_files.video(codec="libvpx", fmt="ogg"),
        "audio/mpeg": media_files.mp3,
        "audio/ogg": lambda: media_files.sound("ogg", "libopus"),
        "audio/vorbis": lambda: media_files.sound("ogg", "vorbis", rate=44_100),
        "audio/opus": lambda: media_files.sound("ogg", "libopus"),
        "audio/wav": media_files.wav,
        "audio/flac": lambda: media_files.sound("flac", "flac", rate=44_100),
        "audio/mp4": lambda: media_files.sound("ipod", "aac", rate=44_100),
        "audio/webm": lambda: media_files.sound("webm", "libopus"),
    }
    aliases = {"audio/mp3": "audio/mpeg", "audio/wave": "audio/wav", "audio/x-wav": "audio/wav",
               "audio/vnd.wave": "audio/wav", "audio/x-flac": "audio/flac",
               "audio/m4a": "audio/mp4", "audio/x-m4a": "audio/mp4"}  # fmt: skip
    return made[aliases.get(mime, mime)]()


def test_every_advertised_type_is_accepted(client, alice):
    config = client.get("/api/v2/instance").get_json()["configuration"]["media_attachments"]
    assert config["image_size_limit"] == 16 * 1024 * 1024 == media_uploads.IMAGE_LIMIT
    assert config["image_matrix_limit"] == 7680 * 4320 == media_uploads.MATRIX_LIMIT
    assert config["description_limit"] == 1500
    v1 = client.get("/api/v1/instance").get_json()["configuration"]["media_attachments"]
    assert v1["supported_mime_types"] == config["supported_mime_types"]

    token = token_for(alice, "write:media")
    kinds = {}
    for mime in config["supported_mime_types"]:
        r = upload(client, token, _sample(mime), "upload")
        assert r.status_code == 200, (mime, r.get_json())
        kinds[mime] = r.get_json()["type"]
        if mime.startswith("image/"):
            assert r.get_json()["meta"]["original"]["size"] == "12x10"
    assert {kinds[m] for m in kinds if m.startswith("video/")} == {"video"}
    assert {kinds[m] for m in kinds if m.startswith("audio/")} == {"audio"}
