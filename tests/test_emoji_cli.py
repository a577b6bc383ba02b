"""The operator's `fedi emoji add SHORTCODE FILE` and `fedi emoji remove SHORTCODE`: through the
same service as the admin pages (its checks, and into the audit log), acting as `--by` or the
oldest admin, with a clean error for every refusal."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import AuditLogEntry, CustomEmoji, Role
from tests.helpers import make_local


def _png(path, size=(16, 16)):
    out = io.BytesIO()
    Image.new("RGBA", size, (255, 0, 0, 255)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["fedi", "emoji", *args])


def test_add_shows_up_in_the_api_and_remove(app, client, tmp_path):
    admin = make_local("boss", role=Role.ADMIN)
    r = _run(app, "add", "blobcat", _png(tmp_path / "x.png"), "--category", "Blobs")
    assert r.exit_code == 0, r.output
    assert ":blobcat: added" in r.output
    emojis = client.get("/api/v1/custom_emojis").get_json()
    assert [(e["shortcode"], e["category"], e["visible_in_picker"]) for e in emojis] == [
        ("blobcat", "Blobs", True)
    ]
    r = _run(app, "add", "sneaky", _png(tmp_path / "y.png"), "--hidden")
    assert r.exit_code == 0, r.output
    sneaky = db.session.scalar(select(CustomEmoji).filter_by(shortcode="sneaky"))
    assert sneaky.visible_in_picker is False

    r = _run(app, "remove", ":blobcat:")
    assert r.exit_code == 0 and ":blobcat: removed" in r.output, r.output
    assert [e["shortcode"] for e in client.get("/api/v1/custom_emojis").get_json()] == ["sneaky"]
    r = _run(app, "remove", "blobcat")
    assert r.exit_code != 0 and "No local emoji :blobcat:" in r.output
    entries = db.session.execute(select(AuditLogEntry.action, AuditLogEntry.account_id)).all()
    assert sorted(entries) == [("create", admin.id), ("create", admin.id), ("destroy", admin.id)]


def test_refusals_are_clean_errors(app, tmp_path):
    png = _png(tmp_path / "ok.png")
    r = _run(app, "add", "blobcat", png)
    assert r.exit_code != 0 and "No staff account to act as" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)

    make_local("boss", role=Role.ADMIN)
    assert _run(app, "add", "blobcat", png).exit_code == 0
    cases = {
        ("add", "x", png): "at least 2 characters",
        ("add", "no-dash", png): "letters, digits and underscores",
        ("add", "BlobCat", png): "The shortcode :BlobCat: is already taken",
        ("add", "other", str(tmp_path / "missing.png")): "No such file or directory",
    }
    text = tmp_path / "notes.png"
    text.write_text("not an image at all")
    cases[("add", "other", str(text))] = "The file is not a valid image"
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"\0" * (256 * 1024 + 10))
    cases[("add", "other", str(big))] = "at most 256 KB"
    for args, message in cases.items():
        r = _run(app, *args)
        assert r.exit_code != 0, args
        assert message in r.output and "Error:" in r.output, (args, r.output)
        assert "Traceback" not in r.output and isinstance(r.exception, SystemExit), args
    assert db.session.scalar(select(db.func.count()).select_from(CustomEmoji)) == 1


def test_by_must_hold_the_permission(app, tmp_path):
    make_local("boss", role=Role.ADMIN)
    make_local("plain")
    r = _run(app, "add", "blobcat", _png(tmp_path / "x.png"), "--by", "plain")
    assert r.exit_code != 0 and "This action is not allowed" in r.output
    r = _run(app, "add", "blobcat", _png(tmp_path / "x.png"), "--by", "nobody")
    assert r.exit_code != 0 and "No staff account to act as" in r.output
    assert db.session.scalar(select(CustomEmoji.id)) is None
