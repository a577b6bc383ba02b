"""Uploads processed by the `process_media` task (services/media_processing.py), through the API
with real tokens and real generated files: animated GIFs become gifv, videos H.264/AAC MP4
(copied when they fit, re-encoded when not), audio MP3, custom thumbnails become the preview,
bombs and polyglots are refused, a broken file is marked failed and the worker goes on. Until a
worker has run, v2 answers 202 and GET 206 with `url` null, and a status cannot take the file."""

from __future__ import annotations

import io
import struct
import zlib

import av
import pytest
from PIL import Image

from fedi import queue
from fedi.extensions import db
from fedi.federation.serializers.note import document
from fedi.models import MediaAttachment
from fedi.services import media_store
from tests import media_files
from tests.helpers import bearer, token_for

BLURHASH = set(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
)


def upload(client, token, data: bytes, name="file.bin", version="v2", **fields):
    files = {"file": (io.BytesIO(data), name)}
    if "thumbnail" in fields:
        files["thumbnail"] = (io.BytesIO(fields.pop("thumbnail")), "poster.png")
    return client.post(
        f"/api/{version}/media",
        data={**files, **fields},
        headers=bearer(token),
        content_type="multipart/form-data",
    )


def stored(media_id) -> MediaAttachment:
    db.session.expire_all()
    media = db.session.get(MediaAttachment, int(media_id))
    assert media is not None
    return media


def served(client, url: str) -> bytes:
    r = client.get(url.removeprefix("https://wren.test"))
    assert r.status_code == 200, url
    return r.data


@pytest.fixture
def token(alice):
    return token_for(alice, "write:media write:statuses")


def _no_uploads_left(account_id: int) -> None:
    folder = media_store.root() / "media_attachments" / str(account_id)
    assert not folder.exists() or not list(folder.glob("*.upload"))


def test_an_animated_gif_becomes_a_looping_gifv_mp4(client, alice, token):
    r = upload(client, token, media_files.animated_gif(), "funny.gif")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["type"] == "gifv" and body["url"].endswith(".mp4")
    assert set(body["blurhash"]) <= BLURHASH and body["preview_url"].endswith(".jpeg")
    assert body["meta"]["original"]["width"] == 40 and body["meta"]["original"]["height"] == 30
    assert body["meta"]["original"]["frame_rate"] == "10/1" and body["meta"]["duration"] == 0.6
    found = media_files.probe(served(client, body["url"]), "mov")
    assert found["video"] == [{"codec": "h264", "width": 40, "height": 30}]
    assert "audio" not in found and found["frames"] == 6
    assert stored(body["id"]).file_content_type == "video/mp4"
    _no_uploads_left(alice.id)


def test_a_still_gif_stays_an_image(client, token):
    still = io.BytesIO()
    Image.new("P", (20, 10), 3).save(still, "GIF")
    body = upload(client, token, still.getvalue(), "still.gif").get_json()
    assert body["type"] == "image" and body["meta"]["original"]["size"] == "20x10"


def test_a_video_with_sound_that_fits_is_copied_with_its_poster(client, token):
    original = media_files.video(width=64, height=48, frames=10, fps=10)
    r = upload(client, token, original, "clip.mov", description="A clip", focus="0.1,0.2")
    assert r.status_code == 200
    body = r.get_json()
    assert body["type"] == "video" and body["description"] == "A clip"
    meta = body["meta"]
    assert (meta["width"], meta["height"], meta["size"], meta["fps"]) == (64, 48, "64x48", 10)
    assert meta["duration"] == pytest.approx(1.0, abs=0.05) and meta["length"] == "0:00:01.00"
    assert meta["audio_encode"] == "aac" and meta["audio_channels"] == "stereo"
    assert meta["original"]["bitrate"] > 0 and meta["small"]["size"] == "64x48"
    assert meta["focus"] == {"x": 0.1, "y": 0.2}
    data = served(client, body["url"])
    found = media_files.probe(data, "mov")
    assert found["video"] == [{"codec": "h264", "width": 64, "height": 48}]
    assert found["audio"][0]["codec"] == "aac" and found["frames"] == 10
    poster = Image.open(io.BytesIO(served(client, body["preview_url"])))
    assert poster.format == "JPEG" and poster.size == (64, 48)


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv444p"], ids=["copied", "re-encoded"])
def test_a_video_shot_on_its_side_keeps_its_rotation_with_an_upright_poster(client, token, pix_fmt):
    body = upload(client, token, media_files.video(rotation=90, pix_fmt=pix_fmt)).get_json()
    assert body["meta"]["size"] == "48x64" and body["meta"]["aspect"] == 0.75
    poster = Image.open(io.BytesIO(served(client, body["preview_url"])))
    assert poster.size == (48, 64)
    data = served(client, body["url"])
    with av.open(io.BytesIO(data), format="mov") as container:
        assert next(container.decode(video=0)).rotation == 90


def test_a_silent_video_is_a_gifv(client, token):
    body = upload(client, token, media_files.video(sound=False), "silent.mp4").get_json()
    assert body["type"] == "gifv"
    assert "audio" not in media_files.probe(served(client, body["url"]), "mov")


@pytest.mark.parametrize(
    "kind",
    ["yuv444", "webm", "odd-size"],
)
def test_a_video_that_does_not_fit_is_reencoded_to_h264_and_aac(client, token, kind):
    original = {
        "yuv444": lambda: media_files.video(pix_fmt="yuv444p"),
        "webm": lambda: media_files.video(codec="libvpx-vp9", fmt="webm"),
        "odd-size": lambda: media_files.video(codec="mpeg4", width=66, height=50, fmt="mp4"),
    }[kind]()
    body = upload(client, token, original, "clip").get_json()
    assert body["type"] == "video"
    found = media_files.probe(served(client, body["url"]), "mov")
    assert found["video"][0]["codec"] == "h264" and found["audio"][0]["codec"] == "aac"
    assert found["frames"] == 10


def test_an_mp3_loses_its_tags_and_keeps_its_sound(client, token):
    r = upload(client, token, media_files.mp3(seconds=1.0), "song.mp3")
    body = r.get_json()
    assert r.status_code == 200 and body["type"] == "audio" and body["url"].endswith(".mp3")
    assert body["meta"]["duration"] == pytest.approx(1.0, abs=0.1)
    assert body["meta"]["audio_encode"] == "mp3"
    found = media_files.probe(served(client, body["url"]), "mp3")
    assert found["audio"][0]["codec"].startswith("mp3") and "title" not in found["metadata"]
    assert body["blurhash"] is None and body["preview_url"] is None  # no picture to show


def test_audio_in_other_formats_becomes_mp3_with_a_custom_cover(client, token):
    cover = media_files.png(120, 120, "purple")
    body = upload(client, token, media_files.wav(0.5), "voice.wav", thumbnail=cover).get_json()
    assert body["type"] == "audio" and body["url"].endswith(".mp3")
    assert media_files.probe(served(client, body["url"]), "mp3")["audio"]
    cover_served = Image.open(io.BytesIO(served(client, body["preview_url"])))
    assert cover_served.size == (120, 120) and body["blurhash"]
    assert body["meta"]["small"]["size"] == "120x120"


def test_a_custom_thumbnail_replaces_a_video_poster_on_create_and_on_update(client, token):
    clip = media_files.video()
    body = upload(client, token, clip, thumbnail=media_files.png(32, 24, "red")).get_json()
    first = body["preview_url"]
    assert Image.open(io.BytesIO(served(client, first))).getpixel((5, 5))[0] > 200  # red

    r = client.put(
        f"/api/v1/media/{body['id']}",
        data={"thumbnail": (io.BytesIO(media_files.png(30, 20, "blue")), "b.png")},
        headers=bearer(token),
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    updated = r.get_json()
    assert updated["preview_url"] != first and updated["url"] == body["url"]
    assert Image.open(io.BytesIO(served(client, updated["preview_url"]))).size == (30, 20)
    assert client.get(first.removeprefix("https://wren.test")).status_code == 404  # replaced
    assert updated["blurhash"] != body["blurhash"]

    r = client.put(
        f"/api/v1/media/{body['id']}",
        data={"thumbnail": (io.BytesIO(b"not a picture"), "x.png")},
        headers=bearer(token),
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Thumbnail content type is invalid"}


def _png_claiming(width: int, height: int) -> bytes:
    data = bytearray(media_files.png(8, 8))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _zip() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (_png_claiming(20000, 20000), "20000x20000 images are not supported"),
        (media_files.png() + _zip(), "Validation failed: File content type is invalid"),
        (media_files.jpeg() + b"<html><script>alert(1)</script></html>",
         "Validation failed: File content type is invalid"),
        (b"GIF89a<script>alert(1)</script>", "Validation failed: File content type is invalid"),
        (media_files.video() + _zip(), "Validation failed: File content type is invalid"),
        (b"#!/bin/sh\necho video", "Validation failed: File content type is invalid"),
    ],
    ids=["png-bomb", "png-zip", "jpeg-html", "gif-script", "mp4-zip", "script"],
)  # fmt: skip
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_bombs_and_polyglots_are_refused_before_anything_is_stored(
    client, alice, token, data, error, version
):
    r = upload(client, token, data, "innocent.mp4", version=version)
    assert r.status_code == 422
    assert r.get_json() == {"error": error}
    assert db.session.query(MediaAttachment).count() == 0
    _no_uploads_left(alice.id)


def test_a_broken_file_is_marked_failed_and_the_worker_goes_on(client, alice, token):
    clip = media_files.video(frames=20)
    r = upload(client, token, clip[: len(clip) // 2], "cut.mp4")  # truncated mid-file
    assert r.status_code == 422
    assert r.get_json() == {"error": "Error processing thumbnail for uploaded media"}
    failed = db.session.query(MediaAttachment).one()
    assert failed.processing.value == "failed" and failed.file_path is None
    r = client.get(f"/api/v1/media/{failed.id}", headers=bearer(token))
    assert r.status_code == 422
    _no_uploads_left(alice.id)

    broken_jpeg = media_files.jpeg(400, 300)[:600]
    assert upload(client, token, broken_jpeg, "cut.jpg").status_code == 422

    # The next file goes through the same worker as ever.
    assert upload(client, token, media_files.animated_gif()).get_json()["type"] == "gifv"


def test_until_a_worker_has_run_v2_answers_202_and_get_206(client, token, monkeypatch):
    """The queue holds the task (a worker is busy elsewhere); it runs later."""
    held: list[tuple] = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kw: held.append((name, args)))
    r = upload(client, token, media_files.video(), "clip.mp4", description="Later")
    assert r.status_code == 202
    body = r.get_json()
    assert body["url"] is None and body["preview_url"] is None and body["type"] == "video"
    assert held == [("process_media", (int(body["id"]),))]

    shown = client.get(f"/api/v1/media/{body['id']}", headers=bearer(token))
    assert shown.status_code == 206 and shown.get_json()["url"] is None
    waiting = stored(body["id"]).upload_path
    assert waiting.endswith(".upload") and (media_store.root() / waiting).is_file()
    assert client.get(f"/media/{waiting}").status_code == 404  # never served as it came
    r = client.post("/api/v1/statuses", json={"status": "Too soon", "media_ids": [body["id"]]},
                    headers=bearer(token))  # fmt: skip
    assert r.status_code == 422
    assert r.get_json() == {
        "error": "Cannot attach files that have not finished processing. Try again in a moment!"
    }
    thumbnail = {"thumbnail": (io.BytesIO(media_files.png()), "p.png")}
    r = client.put(f"/api/v1/media/{body['id']}", data=thumbnail, headers=bearer(token),
                   content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 422  # a custom thumbnail waits for the file

    queue.registry["process_media"](*held[0][1])  # the worker's turn
    shown = client.get(f"/api/v1/media/{body['id']}", headers=bearer(token))
    assert shown.status_code == 200 and shown.get_json()["url"].endswith(".mp4")
    r = client.post("/api/v1/statuses", json={"status": "Now", "media_ids": [body["id"]]},
                    headers=bearer(token))  # fmt: skip
    assert r.status_code == 200
    assert r.get_json()["media_attachments"][0]["description"] == "Later"


def test_the_instance_advertises_what_is_accepted(client):
    config = client.get("/api/v2/instance").get_json()["configuration"]["media_attachments"]
    types = set(config["supported_mime_types"])
    assert {"image/jpeg", "image/png", "image/gif", "image/webp"} <= types
    assert {"video/mp4", "video/quicktime", "video/webm", "audio/mpeg", "audio/ogg"} <= types
    assert "audio/wav" in types and "image/heic" not in types
    assert config["video_size_limit"] == 99 * 1024 * 1024
    assert config["video_frame_rate_limit"] == 120 and config["video_matrix_limit"] == 8_294_400
    v1 = client.get("/api/v1/instance").get_json()["configuration"]["media_attachments"]
    assert set(v1["supported_mime_types"]) == types


def test_a_posted_video_federates_as_a_document_with_its_fields(client, token):
    body = upload(client, token, media_files.video(), description="A tiny film",
                  focus="0.5,-0.25").get_json()  # fmt: skip
    media = stored(body["id"])
    assert document(media) == {
        "type": "Document",
        "mediaType": "video/mp4",
        "url": body["url"],
        "name": "A tiny film",
        "blurhash": body["blurhash"],
        "focalPoint": [0.5, -0.25],
        "width": 64,
        "height": 48,
    }


def test_a_lost_task_is_queued_again_and_an_abandoned_file_fails(client, token, monkeypatch):
    from datetime import timedelta

    from fedi import clock
    from fedi.models import ProcessingState

    held: list[tuple] = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kw: held.append((name, args)))
    lost = upload(client, token, media_files.video(), "a.mp4").get_json()
    dead = upload(client, token, media_files.video(), "b.mp4").get_json()
    monkeypatch.undo()
    long_ago = clock.now() - timedelta(hours=2)
    db.session.execute(
        MediaAttachment.__table__.update()
        .where(MediaAttachment.id == int(dead["id"]))
        .values(processing=ProcessingState.PROCESSING, updated_at=long_ago)
    )
    db.session.execute(
        MediaAttachment.__table__.update()
        .where(MediaAttachment.id == int(lost["id"]))
        .values(updated_at=long_ago)
    )
    db.session.commit()
    abandoned_upload = stored(dead["id"]).upload_path

    queue.registry["requeue_stalled_media"].call_local()

    assert stored(lost["id"]).processing == ProcessingState.DONE
    assert stored(dead["id"]).processing == ProcessingState.FAILED
    assert not (media_store.root() / abandoned_upload).exists()


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 4,
        b"\x1a\x45\xdf\xa3" + b"\x93\x42\x82\x88matroska" + bytes(200),
        b"OggS\x00\x02" + bytes(range(200)),
        b"fLaC" + b"\xff" * 300,
        b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x10\x00\x00\x00" + b"\xff" * 40,
        b"ID3\x04\x00\x00\x00\x00\x00\x10" + b"\xff\xfb\x90\x00" * 50,
        b"\xff\xfb" + bytes(500),
        b"GIF89a\x10\x00\x10\x00\x80\x00\x00" + bytes(30) + b";",
    ],
    ids=["mp4", "webm", "ogg", "flac", "wav", "id3", "mp3-sync", "gif"],
)
def test_garbage_behind_a_magic_number_fails_cleanly(client, token, data):
    r = upload(client, token, data)
    assert r.status_code == 422, r.get_json()
    assert "error" in r.get_json()
    assert upload(client, token, media_files.png()).status_code == 200  # the worker goes on
