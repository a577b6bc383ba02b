"""Images from the web compose form: up to four, each with its description, in one multipart post
without JavaScript or with HTMX, through services.media_uploads; shown in the cards with their
alt text; invalid files, too many files and failed posts leave nothing behind."""

from __future__ import annotations

import io

from PIL import Image

from fedi.extensions import db
from fedi.models import MediaAttachment, Status
from fedi.services import media_store
from tests.web.a11y import assert_accessible
from tests.web.signed_in import field_value, form_post, page, signed_in


def png(width: int = 64, height: int = 48, colour: str = "teal") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    out.seek(0)
    return out


def jpeg_with_exif(width: int = 80, height: int = 40) -> io.BytesIO:
    """A photo taken sideways (EXIF orientation 6) that carries a GPS position."""
    image = Image.new("RGB", (width, height), "orange")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    out.seek(0)
    return out


def _media_form(*files, descriptions=(), text="Look at these", **extra) -> dict:
    slots = list(files) + [(io.BytesIO(b""), "")] * (4 - len(files))
    return {
        "text": text,
        "visibility": "public",
        "media": [f if isinstance(f, tuple) else (f, "photo.png") for f in slots],
        "description": list(descriptions) + [""] * (4 - len(descriptions)),
        **extra,
    }


def _post(browser, form: dict):
    return form_post(browser, "/compose", form, content_type="multipart/form-data")


def _latest(account) -> Status:
    return db.session.query(Status).filter_by(account_id=account.id).order_by(Status.id.desc())[0]


def test_the_compose_page_offers_four_labelled_media_slots_and_home_one(app, alice):
    browser = signed_in(app)
    compose = page(browser, "/compose")
    assert 'enctype="multipart/form-data"' in compose
    field = '<input type="file" name="media" accept="image/*,video/*,audio/*">'
    assert compose.count(field) == 4
    assert "Description of file 4" in compose
    assert_accessible(compose)
    home = page(browser, "/home")
    assert home.count('type="file"') == 1 and '<a href="/compose">More media</a>' in home


def test_post_images_with_descriptions_without_javascript(app, alice):
    browser = signed_in(app)
    form = _media_form(png(), (png(colour="navy"), "second.png"),
                       descriptions=["A teal square", "A navy square"])  # fmt: skip
    r = form_post(browser, "/compose", form, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"] == "/home"

    status = _latest(alice)
    media = db.session.query(MediaAttachment).filter_by(status_id=status.id)
    media = sorted(media, key=lambda m: m.position)
    assert [m.description for m in media] == ["A teal square", "A navy square"]
    assert all(m.processing.value == "done" and m.type.value == "image" for m in media)
    root = media_store.root()
    for m in media:
        assert (root / m.file_path).is_file() and (root / m.thumbnail_path).is_file()
    assert media[0].meta["original"]["size"] == "64x48"

    home = page(browser, "/home")
    assert f'<a href="/media/{media[0].file_path}"><img src="/media/{media[0].thumbnail_path}" ' \
           f'alt="A teal square" loading="lazy"></a>' in home  # fmt: skip
    assert 'alt="A navy square"' in home
    served = browser.get(f"/media/{media[1].file_path}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"


def test_post_an_image_with_htmx_returns_the_card(app, alice):
    browser = signed_in(app)
    form = _media_form(png(), descriptions=["A teal square"], text="")  # an image needs no text
    r = form_post(browser, "/compose", form, htmx=True, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.lstrip().startswith("<article")
    assert 'alt="A teal square"' in body


def test_photos_are_turned_upright_and_lose_their_metadata(app, alice):
    browser = signed_in(app)
    form = _media_form((jpeg_with_exif(), "photo.jpg"), descriptions=["Orange"])
    assert _post(browser, form).status_code == 303
    media = db.session.query(MediaAttachment).one()
    with Image.open(media_store.root() / media.file_path) as stored:
        assert stored.size == (40, 80)  # rotated upright
        assert not stored.getexif()  # no orientation, no GPS position


def test_large_images_are_scaled_down_with_a_small_preview(app, alice):
    browser = signed_in(app)
    form = _media_form((png(4000, 2500), "big.png"), descriptions=["Big"])
    assert _post(browser, form).status_code == 303
    media = db.session.query(MediaAttachment).one()
    width, height = media.meta["original"]["width"], media.meta["original"]["height"]
    assert width * height <= 8_294_400 and abs(width / height - 1.6) < 0.01
    small = media.meta["small"]
    assert small["width"] * small["height"] <= 230_400


def test_an_invalid_file_is_refused_inline_and_nothing_is_kept(app, alice):
    browser = signed_in(app)
    form = _media_form(png(), (io.BytesIO(b"not an image"), "evil.png"),
                       descriptions=["ok", "bad"], text="keep this text")  # fmt: skip
    r = form_post(browser, "/compose", form, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "File content type is invalid" in body
    assert "keep this text" in body
    assert db.session.query(Status).count() == 0
    assert db.session.query(MediaAttachment).count() == 0
    folder = media_store.root() / "media_attachments" / str(alice.id)
    assert not folder.exists() or not any(folder.iterdir())  # the valid one's files went too


def test_a_failed_post_removes_its_uploads(app, alice):
    browser = signed_in(app)
    form = _media_form(png(), descriptions=["fine"], text="x" * 501)
    r = form_post(browser, "/compose", form, content_type="multipart/form-data")
    assert r.status_code == 422 and "character limit" in r.get_data(as_text=True)
    assert db.session.query(MediaAttachment).count() == 0


def test_more_than_four_images_and_overlong_descriptions_are_refused(app, alice):
    browser = signed_in(app)
    form = _media_form(*[png() for _ in range(4)])
    form["media"].append((png(), "fifth.png"))
    r = form_post(browser, "/compose", form, content_type="multipart/form-data")
    assert r.status_code == 422 and "Cannot attach more than 4 files" in r.get_data(as_text=True)
    form = _media_form(png(), descriptions=["d" * 1501])
    r = form_post(browser, "/compose", form, content_type="multipart/form-data")
    assert r.status_code == 422 and "Description is too long" in r.get_data(as_text=True)
    assert db.session.query(MediaAttachment).count() == 0


def test_a_reply_can_carry_an_image(app, alice, bob):
    from fedi.services import statuses

    parent = statuses.post_status(account=bob, text="Show me your garden")
    browser = signed_in(app)
    reply_page = page(browser, f"/@bob/{parent.id}/reply")
    assert field_value(reply_page, "in_reply_to_id") == str(parent.id)
    form = _media_form(png(), descriptions=["My garden"], text="@bob here",
                       in_reply_to_id=str(parent.id))  # fmt: skip
    r = form_post(browser, "/compose", form, content_type="multipart/form-data")
    assert r.status_code == 303
    reply = _latest(alice)
    assert reply.in_reply_to_id == parent.id
    assert 'alt="My garden"' in page(browser, f"/@alice/{reply.id}")


def test_video_gif_and_audio_from_the_form_play_in_the_cards(app, alice):
    from tests import media_files

    browser = signed_in(app)
    posts = [
        ((io.BytesIO(media_files.video()), "clip.mp4"), "A tiny film"),
        ((io.BytesIO(media_files.animated_gif()), "loop.gif"), "A looping square"),
        ((io.BytesIO(media_files.mp3()), "tone.mp3"), "A tone"),
    ]
    for file, description in posts:
        r = _post(browser, _media_form(file, descriptions=[description], text=description))
        assert r.status_code == 303, r.get_data(as_text=True)
    film, loop, tone = (
        db.session.query(MediaAttachment).filter_by(description=d).one() for _, d in posts
    )
    assert (film.type.value, loop.type.value, tone.type.value) == ("video", "gifv", "audio")
    home = page(browser, "/home")
    assert (
        f'<video src="/media/{film.file_path}" controls preload="none" '
        f'poster="/media/{film.thumbnail_path}" aria-label="A tiny film"></video>'
    ) in home
    assert (
        f'<video src="/media/{loop.file_path}" autoplay loop muted playsinline '
        f'poster="/media/{loop.thumbnail_path}" aria-label="A looping square"></video>'
    ) in home
    assert (
        f'<audio src="/media/{tone.file_path}" controls preload="none" aria-label="A tone">'
    ) in home
    assert browser.get(f"/media/{film.file_path}").mimetype == "video/mp4"
    assert_accessible(home)


def test_a_file_that_fails_in_the_worker_is_refused_inline(app, alice):
    from tests import media_files

    browser = signed_in(app)
    clip = media_files.video(frames=20)
    form = _media_form((io.BytesIO(clip[: len(clip) // 2]), "cut.mp4"), text="keep me")
    r = _post(browser, form)
    assert r.status_code == 422 and "File could not be processed" in r.get_data(as_text=True)
    assert db.session.query(Status).count() == 0
    assert db.session.query(MediaAttachment).count() == 0
