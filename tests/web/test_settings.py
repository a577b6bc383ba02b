"""Settings pages: profile with image upload, preferences, authorized apps, password, exports."""

from __future__ import annotations

import io

from PIL import Image

from fedi.extensions import db
from fedi.models import Account, OAuthToken
from fedi.services import blocks, follows
from tests.helpers import token_for
from tests.oauth_flow import sign_in
from tests.web.signed_in import form_post, page, signed_in, token


def _png(width: int = 64, height: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


def test_profile_form_is_labelled(app, alice):
    body = page(signed_in(app), "/settings/profile")
    for name in ("display_name", "note", "avatar", "header", "locked", "bot", "discoverable"):
        assert f'<label for="{name}">' in body and f'id="{name}"' in body
    assert 'enctype="multipart/form-data"' in body and 'alt="Current avatar"' in body


def test_save_profile_with_avatar_upload(app, alice):
    browser = signed_in(app)
    data = {
        "csrf_token": token(browser, "/settings/profile"),
        "display_name": "Alice A.", "note": "I like #birds", "locked": "1",
        "field_name_0": "Site", "field_value_0": "https://alice.example",
        "avatar": (io.BytesIO(_png()), "me.png"),
    }  # fmt: skip
    r = browser.post("/settings/profile", data=data, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"] == "/settings/profile?saved=1"
    db.session.expire_all()
    account = db.session.get(Account, alice.id)
    assert account.display_name == "Alice A." and account.locked and not account.bot
    assert account.avatar_file and account.fields[0]["name"] == "Site"
    assert "Saved." in page(browser, "/settings/profile?saved=1")


def test_profile_errors_inline(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/settings/profile", {"display_name": "x" * 31})
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    bad = {
        "csrf_token": token(browser, "/settings/profile"),
        "avatar": (io.BytesIO(b"not an image"), "x.png"),
    }
    r = browser.post("/settings/profile", data=bad, content_type="multipart/form-data")
    assert r.status_code == 422


def test_preferences_set_the_compose_defaults(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/settings/preferences", {"privacy": "unlisted", "language": "de"})
    assert r.status_code == 303
    home = page(browser, "/home")
    assert '<option value="unlisted" selected>' in home and 'value="de"' in home
    assert form_post(browser, "/settings/preferences", {"privacy": "bogus"}).status_code == 422


def test_authorized_apps_can_be_revoked(app, alice):
    token_for(alice)
    browser = signed_in(app)
    body = page(browser, "/settings/applications")
    app_id = body.split("/settings/applications/")[1].split("/revoke")[0]
    assert form_post(browser, f"/settings/applications/{app_id}/revoke").status_code == 303
    assert db.session.query(OAuthToken).filter(OAuthToken.revoked_at.is_(None)).count() == 0
    assert "No apps have access" in page(browser, "/settings/applications")


def test_change_password_signs_out_other_sessions(app, alice):
    browser, other = signed_in(app), signed_in(app)
    wrong = {"current_password": "nope", "password": "a new long password"}
    assert form_post(browser, "/settings/password", wrong).status_code == 422
    right = {"current_password": "correct horse battery", "password": "a new long password"}
    assert form_post(browser, "/settings/password", right).status_code == 303
    assert browser.get("/home").status_code == 200
    assert other.get("/home").status_code == 302
    assert sign_in(app.test_client(), "alice", "a new long password").status_code == 303


def test_exports_in_mastodon_formats(app, alice, bob, carol, remote_dave):
    follows.follow(account=alice, target=bob, notify=True)
    blocks.block(account=alice, target=remote_dave)
    blocks.mute(account=alice, target=carol, notifications=False)
    browser = signed_in(app)
    assert 'href="/settings/export/following.csv"' in page(browser, "/settings/export")

    r = browser.get("/settings/export/following.csv")
    assert r.mimetype == "text/csv"
    assert 'filename="following_accounts.csv"' in r.headers["Content-Disposition"]
    assert r.get_data(as_text=True) == (
        "Account address,Show boosts,Notify on new posts,Languages\nbob@test.example,true,true,\n"
    ).replace("test.example", app.config["FEDI"].LOCAL_DOMAIN)
    blocked = browser.get("/settings/export/blocks.csv").get_data(as_text=True)
    assert blocked == "dave@remote.example\n"
    muted = browser.get("/settings/export/mutes.csv").get_data(as_text=True)
    assert muted.splitlines() == [
        "Account address,Hide notifications",
        f"carol@{app.config['FEDI'].LOCAL_DOMAIN},false",
    ]
