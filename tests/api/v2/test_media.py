"""POST /api/v2/media: images are processed while the request waits, so 200 (not 202) with the
finished attachment, its URLs filled in; the instance entity advertises what is accepted."""

from __future__ import annotations

import io

from PIL import Image

from fedi.services import media_uploads
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


def test_every_advertised_type_is_accepted(client, alice):
    config = client.get("/api/v2/instance").get_json()["configuration"]["media_attachments"]
    assert config["supported_mime_types"] == ["image/png", "image/jpeg", "image/gif", "image/webp"]
    assert config["image_size_limit"] == 16 * 1024 * 1024 == media_uploads.IMAGE_LIMIT
    assert config["image_matrix_limit"] == 7680 * 4320 == media_uploads.MATRIX_LIMIT
    assert config["description_limit"] == 1500
    v1 = client.get("/api/v1/instance").get_json()["configuration"]["media_attachments"]
    assert v1["supported_mime_types"] == config["supported_mime_types"]

    token = token_for(alice, "write:media")
    for mime in config["supported_mime_types"]:
        out = io.BytesIO()
        Image.new("RGB", (12, 10), "purple").save(out, mime.split("/")[1].upper())
        r = upload(client, token, out.getvalue(), f"picture.{mime.split('/')[1]}")
        assert r.status_code == 200, (mime, r.get_json())
        assert r.get_json()["meta"]["original"]["size"] == "12x10"
