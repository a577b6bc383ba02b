"""The custom emoji admin page (admins only): uploads checked by content (PNG, GIF, WebP; 256 KB;
Mastodon's shortcodes; no duplicates), an animated GIF stored with a static PNG copy, a remote
emoji copied here through the guarded client, category and picker, disable, enable and delete,
each in the audit log; GET /api/v1/custom_emojis follows. Moderators and users get 403."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import AuditLogEntry, CustomEmoji, Role
from tests.helpers import make_local
from tests.web.signed_in import form_post, page, signed_in


def png(size: tuple[int, int] = (32, 32), color=(200, 30, 30, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG")
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (16, 16), (i * 80, 0, 0)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _upload(browser, shortcode: str, data: bytes, filename: str = "e.png", **fields):
    body = {"shortcode": shortcode, "image": (io.BytesIO(data), filename),
            "visible_in_picker": "1", **fields}  # fmt: skip
    return form_post(browser, "/admin/custom_emojis/", body, content_type="multipart/form-data")


def _media_root(app) -> Path:
    return Path(app.config["FEDI"].MEDIA_ROOT)


@pytest.fixture
def admin(app):
    make_local("boss", role=Role.ADMIN)
    return signed_in(app, "boss")


def _listed(client) -> list[dict]:
    return client.get("/api/v1/custom_emojis").get_json()


def test_admin_uploads_a_png_and_the_api_lists_it(app, client, admin):
    r = _upload(admin, "blobcat", png(), category="Blobs")
    assert r.status_code == 303 and r.headers["Location"].endswith("done=created")
    emoji = db.session.scalar(select(CustomEmoji))
    assert emoji.domain is None and emoji.image_file.startswith("custom_emojis/")
    assert emoji.image_file.endswith(".png") and emoji.static_file is None
    stored = _media_root(app) / emoji.image_file
    assert Image.open(stored).format == "PNG"
    assert _listed(client) == [
        {"shortcode": "blobcat", "url": f"https://wren.test/media/{emoji.image_file}",
         "static_url": f"https://wren.test/media/{emoji.image_file}",
         "visible_in_picker": True, "category": "Blobs"}
    ]  # fmt: skip
    listing = page(admin, r.headers["Location"])
    assert ":blobcat:" in listing and "Emoji added." in listing
    assert f'src="/media/{emoji.image_file}"' in listing
    entry = db.session.scalar(select(AuditLogEntry))
    assert (entry.action, entry.target_type, entry.target_label) == (
        "create", "CustomEmoji", ":blobcat:"
    )  # fmt: skip


def test_an_animated_gif_keeps_its_animation_and_gets_a_static_copy(app, client, admin):
    data = animated_gif()
    assert _upload(admin, "party_parrot", data, "parrot.gif").status_code == 303
    emoji = db.session.scalar(select(CustomEmoji))
    assert emoji.image_file.endswith(".gif")
    assert (_media_root(app) / emoji.image_file).read_bytes() == data
    static = Image.open(_media_root(app) / emoji.static_file)
    assert static.format == "PNG" and not getattr(static, "is_animated", False)
    listed = _listed(client)[0]
    assert listed["url"].endswith(".gif") and listed["static_url"].endswith("-static.png")


@pytest.mark.parametrize(
    ("shortcode", "data", "filename", "message"),
    [
        ("jpeg", None, "e.png", "must be a PNG, GIF or WebP file"),  # a JPEG named .png
        ("text", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "e.png", "not a valid image"),
        ("big", b"", "e.png", "at most 256 KB"),
        ("huge", None, "e.png", "dimensions are too large"),
        ("a", None, "e.png", "at least 2 characters"),
        ("no-dash", None, "e.png", "at least 2 characters"),
        ("empty", b"", "", "Choose an image file"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(admin, client, shortcode, data, filename, message):
    if shortcode == "jpeg":
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, "JPEG")
        data = out.getvalue()
    elif shortcode == "big":
        noise = Image.frombytes("RGB", (400, 400), bytes(range(256)) * 1875)
        out = io.BytesIO()
        noise.save(out, "PNG", compress_level=0)
        data = out.getvalue()
        assert len(data) > 256 * 1024
    elif shortcode == "huge":
        data = png((4000, 4000))  # small on disk, 16 million pixels decoded
    elif data is None:
        data = png()
    if filename:
        r = _upload(admin, shortcode, data, filename)
    else:
        r = form_post(admin, "/admin/custom_emojis/", {"shortcode": shortcode},
                      content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert db.session.scalar(select(CustomEmoji)) is None
    assert _listed(client) == []


def test_a_shortcode_is_taken_once(admin):
    assert _upload(admin, "blobcat", png()).status_code == 303
    r = _upload(admin, "BlobCat", png())
    assert r.status_code == 422 and "already taken" in r.get_data(as_text=True)
    assert len(db.session.scalars(select(CustomEmoji)).all()) == 1


def test_category_picker_disable_enable_and_delete(app, client, admin):
    _upload(admin, "blobcat", png())
    emoji = db.session.scalar(select(CustomEmoji))
    path = f"/admin/custom_emojis/{emoji.id}"
    assert form_post(admin, path, {"category": "Cats"}).status_code == 303
    assert _listed(client)[0]["category"] == "Cats"
    assert _listed(client)[0]["visible_in_picker"] is False  # the box was left unticked

    assert form_post(admin, f"{path}/disable").status_code == 303
    assert _listed(client) == []
    assert "Disabled" in page(admin, "/admin/custom_emojis/")
    form_post(admin, f"{path}/enable")
    assert [e["shortcode"] for e in _listed(client)] == ["blobcat"]

    stored = _media_root(app) / emoji.image_file
    assert stored.exists()
    assert form_post(admin, f"{path}/delete").status_code == 303
    assert _listed(client) == [] and not stored.exists()
    actions = [
        e.action for e in db.session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id))
    ]
    assert actions == ["create", "update", "disable", "enable", "destroy"]


class _ImageServer:
    """One image served over HTTP on loopback (a remote server's emoji file)."""

    def __init__(self, data: bytes, content_type: str = "image/png") -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/emoji/blob.png"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def loopback_fetches(app):
    settings = app.config["FEDI"]
    saved = list(settings.ALLOWED_PRIVATE_ADDRESSES)
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    yield
    settings.ALLOWED_PRIVATE_ADDRESSES = saved


def test_a_remote_emoji_is_copied_here(app, client, admin, loopback_fetches):
    server = _ImageServer(png(color=(0, 0, 255, 255)))
    try:
        remote = CustomEmoji(
            shortcode="blobfox", domain="remote.example", image_remote_url=server.url,
            uri="https://remote.example/emojis/1", category="Foxes",
        )  # fmt: skip
        db.session.add(remote)
        db.session.commit()
        listing = page(admin, "/admin/custom_emojis/?tab=remote&domain=remote")
        assert ":blobfox:" in listing and "remote.example" in listing
        assert ":blobfox:" not in page(admin, "/admin/custom_emojis/?tab=remote&domain=other")
        assert ":blobfox:" not in page(admin, "/admin/custom_emojis/")  # the local tab
        r = form_post(admin, f"/admin/custom_emojis/{remote.id}/copy")
        assert r.status_code == 303 and r.headers["Location"].endswith("done=copied")
        local = db.session.scalar(select(CustomEmoji).where(CustomEmoji.domain.is_(None)))
        assert local.shortcode == "blobfox" and local.category == "Foxes"
        stored = Image.open(_media_root(app) / local.image_file).convert("RGBA")
        assert stored.getpixel((0, 0)) == (0, 0, 255, 255)
        assert [e["shortcode"] for e in _listed(client)] == ["blobfox"]
        # a second copy would take a shortcode already taken
        r = form_post(admin, f"/admin/custom_emojis/{remote.id}/copy")
        assert r.status_code == 422 and "already taken" in r.get_data(as_text=True)
    finally:
        server.stop()
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "copy"))
    assert entry.details == {"source": ":blobfox: (remote.example)"}


def test_a_remote_image_that_cannot_be_fetched_is_a_message(admin):
    remote = CustomEmoji(shortcode="gone", domain="remote.example",
                         image_remote_url="http://127.0.0.1:9/nothing.png")  # fmt: skip
    db.session.add(remote)
    db.session.commit()
    r = form_post(admin, f"/admin/custom_emojis/{remote.id}/copy")
    assert r.status_code == 422 and "could not be fetched" in r.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.USER])
def test_moderators_and_users_get_403(app, role):
    make_local("boss", role=Role.ADMIN)
    emoji = CustomEmoji(shortcode="blobcat", image_file="custom_emojis/x.png")
    db.session.add(emoji)
    db.session.commit()
    make_local("someone", role=role)
    browser = signed_in(app, "someone")
    page(browser, "/admin/custom_emojis/", 403)
    assert _upload(browser, "blobcat2", png()).status_code == 403
    for action in ("", "/disable", "/enable", "/delete", "/copy"):
        assert form_post(browser, f"/admin/custom_emojis/{emoji.id}{action}").status_code == 403
    assert len(db.session.scalars(select(CustomEmoji)).all()) == 1
    assert db.session.scalar(select(AuditLogEntry)) is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    r = client.get("/admin/custom_emojis/")
    assert r.status_code in (302, 303) and "/auth/sign_in" in r.headers["Location"]
