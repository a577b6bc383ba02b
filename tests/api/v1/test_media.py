"""/api/v1/media: upload real images (made with Pillow) through HTTP with real tokens, read,
describe and delete them, post them with a status; errors in Mastodon's shape and wording."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from fedi.extensions import db
from fedi.models import MediaAttachment
from fedi.services import follows, media_store
from tests.helpers import bearer, token_for

ALPHABET = set(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
)


def png(width: int = 64, height: int = 48, colour: str = "teal", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 80, height: int = 40) -> bytes:
    """A photo taken sideways (EXIF orientation 6) that carries a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` x `height` (a decompression bomb's shape)."""
    data = bytearray(png(8, 8))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def upload(client, token, data: bytes, name="photo.png", version="v2", **fields):
    return client.post(
        f"/api/{version}/media",
        data={"file": (io.BytesIO(data), name), **fields},
        headers=bearer(token),
        content_type="multipart/form-data",
    )


def stored(media_id) -> MediaAttachment | None:
    db.session.expire_all()
    return db.session.get(MediaAttachment, int(media_id))


def served(client, url: str) -> Image.Image:
    r = client.get(url.removeprefix("https://wren.test"))
    assert r.status_code == 200
    return Image.open(io.BytesIO(r.data))


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_upload_an_image_with_description_and_focus(client, alice, version):
    token = token_for(alice, "write:media")
    r = upload(client, token, png(), version=version, description=" A teal square ",
               focus="-0.5,0.25")  # fmt: skip

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    media = stored(body["id"])
    assert media.account_id == alice.id and media.status_id is None
    assert body["type"] == "image" and body["description"] == "A teal square"
    assert body["url"] == f"https://wren.test/media/{media.file_path}"
    assert body["preview_url"] == f"https://wren.test/media/{media.thumbnail_path}"
    assert body["remote_url"] is None and body["preview_remote_url"] is None
    assert body["text_url"] is None
    assert body["meta"] == {
        "original": {"width": 64, "height": 48, "size": "64x48", "aspect": 64 / 48},
        "small": {"width": 64, "height": 48, "size": "64x48", "aspect": 64 / 48},
        "focus": {"x": -0.5, "y": 0.25},
    }
    assert len(body["blurhash"]) == 36 and set(body["blurhash"]) <= ALPHABET  # 4x4 components
    assert served(client, body["url"]).size == (64, 48)
    assert served(client, body["preview_url"]).size == (64, 48)


def test_a_photo_is_turned_upright_and_loses_its_gps_position(client, alice):
    r = upload(client, token_for(alice, "write"), jpeg_with_gps(), "IMG_0001.jpg", "v1")

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["meta"]["original"]["size"] == "40x80"  # upright
    photo = served(client, body["url"])
    assert photo.format == "JPEG" and photo.size == (40, 80)
    assert not photo.getexif() and "exif" not in photo.info
    assert not served(client, body["preview_url"]).getexif()


def test_large_images_are_scaled_down_as_mastodon_does(client, alice):
    r = upload(client, token_for(alice, "write:media"), png(4000, 2500, mode="RGBA"))

    meta = r.get_json()["meta"]
    original, small = meta["original"], meta["small"]
    assert original["width"] * original["height"] <= 3840 * 2160
    assert small["width"] * small["height"] <= 640 * 360
    assert abs(original["aspect"] - 1.6) < 0.01 and abs(small["aspect"] - 1.6) < 0.01
    assert original["size"] == f"{original['width']}x{original['height']}"
    assert served(client, r.get_json()["url"]).format == "PNG"  # transparency kept


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (b"hello, not an image", "notes.txt", "Validation failed: File content type is invalid"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken.png",
         "Validation failed: File content type is invalid"),
        (b"", "empty.png", "Validation failed: File can't be blank"),
        (png_claiming(7681, 4321), "bomb.png", "7681x4321 images are not supported"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (16 * 1024 * 1024), "huge.png",
         "Validation failed: File file size must be less than 16 MB"),
    ],
    ids=["text", "broken", "empty", "too-many-pixels", "too-large"],
)  # fmt: skip
def test_invalid_files_are_refused_and_nothing_is_kept(client, alice, data, name, error):
    r = upload(client, token_for(alice, "write:media"), data, name)

    assert r.status_code == 422
    assert r.get_json() == {"error": error}
    assert db.session.query(MediaAttachment).count() == 0
    folder = media_store.root() / "media_attachments" / str(alice.id)
    assert not folder.exists() or not any(folder.iterdir())


def test_no_file_and_a_too_long_description(client, alice):
    token = token_for(alice, "write:media")
    r = client.post("/api/v2/media", data={"description": "no file"}, headers=bearer(token))
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: File can't be blank"}

    r = upload(client, token, png(), description="x" * 1501)
    assert r.status_code == 422
    assert r.get_json() == {
        "error": "Validation failed: Description is too long (maximum is 1500 characters)"
    }
    assert upload(client, token, png(), description="x" * 1500).status_code == 200


def test_every_media_route_needs_a_user_token_with_write_media(client, alice):
    mine = upload(client, token_for(alice, "write:media"), png()).get_json()["id"]
    for scopes in ("read", "read:media write:statuses"):
        headers = bearer(token_for(alice, scopes))
        assert upload(client, token_for(alice, scopes), png()).status_code == 403
        for method in ("get", "put", "delete"):
            r = getattr(client, method)(f"/api/v1/media/{mine}", headers=headers)
            assert r.status_code == 403
            assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    assert client.post("/api/v2/media").status_code == 401
    r = upload(client, token_for(None, "write"), png(), version="v1")
    assert r.status_code == 422
    assert r.get_json() == {"error": "This method requires an authenticated user"}
    assert db.session.query(MediaAttachment).count() == 1


def test_read_and_describe_an_upload(client, alice):
    headers = bearer(token_for(alice, "write:media"))
    media_id = upload(client, headers["Authorization"][7:], png()).get_json()["id"]

    r = client.get(f"/api/v1/media/{media_id}", headers=headers)
    assert r.status_code == 200 and r.get_json()["description"] is None
    assert "focus" not in r.get_json()["meta"]

    r = client.put(f"/api/v1/media/{media_id}", headers=headers,
                   json={"description": "Teal", "focus": "0.1,-0.9"})  # fmt: skip
    assert r.status_code == 200
    assert r.get_json()["description"] == "Teal"
    assert r.get_json()["meta"]["focus"] == {"x": 0.1, "y": -0.9}

    # Form fields too; out-of-range points are held to the picture; a blank focus keeps it.
    r = client.put(f"/api/v1/media/{media_id}", headers=headers, data={"focus": "2,-3"})
    assert r.get_json()["meta"]["focus"] == {"x": 1.0, "y": -1.0}
    assert r.get_json()["description"] == "Teal"  # not sent: unchanged
    r = client.put(f"/api/v1/media/{media_id}", headers=headers,
                   data={"description": "", "focus": ""})  # fmt: skip
    assert r.get_json()["description"] is None
    assert r.get_json()["meta"]["focus"] == {"x": 1.0, "y": -1.0}

    r = client.put(f"/api/v1/media/{media_id}", headers=headers, json={"description": "y" * 1501})
    assert r.status_code == 422 and r.get_json()["error"].startswith("Validation failed: ")
    assert client.get(f"/api/v1/media/{media_id}", headers=headers).get_json()["meta"]["small"]


def test_other_accounts_uploads_and_unknown_ids_are_not_found(client, alice, bob):
    alices = upload(client, token_for(alice, "write:media"), png()).get_json()["id"]
    headers = bearer(token_for(bob, "write:media"))
    for url in (f"/api/v1/media/{alices}", "/api/v1/media/12345", "/api/v1/media/nope"):
        for method in ("get", "put", "delete"):
            r = getattr(client, method)(url, headers=headers, json={"description": "mine now"})
            assert r.status_code == 404, (method, url)
            assert r.get_json() == {"error": "Record not found"}
    assert stored(alices).description is None


def test_delete_an_unattached_upload_and_its_files(client, alice):
    headers = bearer(token_for(alice, "write:media"))
    media_id = upload(client, headers["Authorization"][7:], png()).get_json()["id"]
    media = stored(media_id)
    files = [media_store.root() / p for p in (media.file_path, media.thumbnail_path)]
    assert all(f.is_file() for f in files)

    r = client.delete(f"/api/v1/media/{media_id}", headers=headers)

    assert r.status_code == 200 and r.get_json() == {}
    assert stored(media_id) is None and not any(f.exists() for f in files)
    assert client.get(f"/api/v1/media/{media_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/media/{media_id}", headers=headers).status_code == 404


def test_post_uploads_with_a_status_in_the_order_given(client, alice, bob):
    follows.follow(account=bob, target=alice)
    token = token_for(alice, "write:media write:statuses")
    first = upload(client, token, png(colour="teal"), description="teal").get_json()
    second = upload(client, token, png(colour="navy"), description="navy").get_json()

    fields = {"status": "Two squares", "media_ids[]": [second["id"], first["id"]]}
    r = client.post("/api/v1/statuses", headers=bearer(token), data=fields)

    assert r.status_code == 200, r.get_json()
    status = r.get_json()
    assert [m["id"] for m in status["media_attachments"]] == [second["id"], first["id"]]
    assert status["media_attachments"][0] == second  # the same entity as the upload answered
    home = client.get("/api/v1/timelines/home", headers=bearer(token_for(bob, "read")))
    assert [m["description"] for m in home.get_json()[0]["media_attachments"]] == ["navy", "teal"]

    # Attached: no longer readable or changeable through /media, and in use for deletion.
    headers = bearer(token)
    assert client.get(f"/api/v1/media/{first['id']}", headers=headers).status_code == 404
    r = client.put(f"/api/v1/media/{first['id']}", headers=headers, json={"description": "x"})
    assert r.status_code == 404 and stored(first["id"]).description == "teal"
    r = client.delete(f"/api/v1/media/{first['id']}", headers=headers)
    assert r.status_code == 422
    assert r.get_json() == {"error": "Media attachment is currently used by a status"}
    assert stored(first["id"]) is not None

    # Already attached uploads cannot go on another post.
    r = client.post("/api/v1/statuses", headers=headers,
                    json={"status": "again", "media_ids": [first["id"]]})  # fmt: skip
    assert r.status_code == 422
    assert r.get_json() == {
        "error": f"Media {first['id']} not found or already attached to another post"
    }


def test_post_refuses_five_uploads_and_someone_elses(client, alice, bob):
    token = token_for(alice, "write")
    ids = [upload(client, token, png()).get_json()["id"] for _ in range(5)]
    theirs = upload(client, token_for(bob, "write"), png()).get_json()["id"]

    def post(media_ids):
        return client.post("/api/v1/statuses", headers=bearer(token),
                           json={"status": "pics", "media_ids": media_ids})  # fmt: skip

    r = post(ids)
    assert r.status_code == 422 and r.get_json() == {"error": "Cannot attach more than 4 files"}
    r = post([ids[0], theirs])
    assert r.status_code == 422
    assert r.get_json() == {
        "error": f"Media {theirs} not found or already attached to another post"
    }
    assert (
        db.session.query(MediaAttachment).filter(MediaAttachment.status_id.is_not(None)).count()
        == 0
    )
    assert len(post(ids[:4]).get_json()["media_attachments"]) == 4


def test_an_edit_can_add_an_upload(client, alice):
    token = token_for(alice, "write")
    first = upload(client, token, png(), description="one").get_json()["id"]
    status = client.post("/api/v1/statuses", headers=bearer(token),
                         json={"status": "v1", "media_ids": [first]}).get_json()  # fmt: skip
    second = upload(client, token, png(), description="two").get_json()["id"]

    r = client.put(f"/api/v1/statuses/{status['id']}", headers=bearer(token),
                   json={"status": "v2", "media_ids": [first, second]})  # fmt: skip

    assert r.status_code == 200, r.get_json()
    assert [m["description"] for m in r.get_json()["media_attachments"]] == ["one", "two"]
    assert stored(second).status_id == int(status["id"])


def test_uploads_count_against_the_media_rate_limit(client, alice):
    r = client.post("/api/v2/media", data={"file": (io.BytesIO(png()), "a.png")},
                    headers=bearer(token_for(alice, "write:media")),
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})  # fmt: skip
    assert r.status_code == 200
    assert r.headers["X-RateLimit-Limit"] == "30"
    assert int(r.headers["X-RateLimit-Remaining"]) <= 29
