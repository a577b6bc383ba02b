"""Attachments over ActivityPub: ours go out as Document objects with mediaType, name (alt text),
blurhash, focalPoint, width and height; a remote post's attachments keep the same fields, their
kind (image, video, audio) taken from mediaType, else from the object's own type."""

# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
from __future__ import annotations

import io

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation.serializers.note import attachments
from fedi.models import Status
from tests import media_files
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, token_for


def test_a_local_video_and_gif_go_out_as_documents(client, alice):
    token = token_for(alice, "write:media write:statuses")
    ids = []
    for data, description in ((media_files.video(), "A film"), (media_files.mp3(), "A song")):
        r = client.post("/api/v2/media", headers=bearer(token), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(data), "f"), "description": description,
                              "focus": "0.5,0.5"})  # fmt: skip
        ids.append(r.get_json()["id"])
    film = client.post("/api/v1/statuses", json={"status": "Film", "media_ids": ids[:1]},
                       headers=bearer(token)).get_json()  # fmt: skip
    song = client.post("/api/v1/statuses", json={"status": "Song", "media_ids": ids[1:]},
                       headers=bearer(token)).get_json()  # fmt: skip

    [video] = attachments(db.session.get(Status, int(film["id"])))
    assert video["type"] == "Document" and video["mediaType"] == "video/mp4"
    assert video["name"] == "A film" and video["focalPoint"] == [0.5, 0.5]
    assert (video["width"], video["height"]) == (64, 48) and video["blurhash"]
    assert video["url"] == film["media_attachments"][0]["url"]
    [audio] = attachments(db.session.get(Status, int(song["id"])))
    assert audio["mediaType"] == "audio/mpeg" and audio["name"] == "A song"
    assert "width" not in audio


def test_remote_attachments_keep_their_fields_and_kinds(client, alice, rita):
    base = rita.server.base
    note = rita.note(
        "@alice Media from afar",
        cc=[alice.uri],
        tag=[{"type": "Mention", "href": alice.uri, "name": "@alice"}],
        attachment=[
            {"type": "Document", "mediaType": "video/mp4", "url": f"{base}/files/clip.mp4",
             "name": "A clip", "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
             "focalPoint": [-0.5, 0.25], "width": 1280, "height": 720},
            {"type": "Audio", "url": f"{base}/files/song.ogg", "name": "A song"},
            {"type": "Document", "mediaType": "image/png", "url": f"{base}/files/pic.png"},
        ],
    )  # fmt: skip
    assert rita.post(client, "/inbox", rita.activity("Create", note)).status_code == 202
    status = db.session.scalar(select(Status).where(Status.uri == note["id"]))
    assert status is not None
    body = client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token_for(alice))).get_json()
    clip, song, picture = body["media_attachments"]
    assert clip["type"] == "video" and clip["description"] == "A clip"
    assert clip["blurhash"] == "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"
    assert clip["meta"]["focus"] == {"x": -0.5, "y": 0.25}
    assert clip["meta"]["original"] == {"width": 1280, "height": 720}
    assert song["type"] == "audio" and song["description"] == "A song"
    assert picture["type"] == "image" and picture["url"] == f"{base}/files/pic.png"

    # And they go out again as they came in (a boost's object, a fetch of the note).
    out = attachments(status)
    assert out[0] | {"url": None} == {
        "type": "Document", "mediaType": "video/mp4", "url": None, "name": "A clip",
        "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH", "focalPoint": [-0.5, 0.25],
        "width": 1280, "height": 720,
    }  # fmt: skip
