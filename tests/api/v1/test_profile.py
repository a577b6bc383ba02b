"""verify_credentials, update_credentials (multipart with real images, form and JSON),
preferences, and the /media route serving stored avatars and headers."""

from __future__ import annotations

import io
from pathlib import Path

from flask import current_app
from PIL import Image

from fedi.extensions import db
from fedi.models import Role
from fedi.services import accounts, follows
from tests.helpers import bearer, make_local, token_for


def png(width: int, height: int, color=(200, 30, 30, 255)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def jpeg(width: int, height: int) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def media_path(url: str) -> Path:
    relative = url.removeprefix("https://wren.test/media/")
    return Path(current_app.config["FEDI"].MEDIA_ROOT) / relative


def test_verify_credentials_has_source_and_role(client, alice):
    r = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token_for(alice)))

    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == str(alice.id) and body["acct"] == "alice"
    assert body["source"] == {
        "privacy": "public", "sensitive": False, "language": None, "note": "", "fields": [],
        "follow_requests_count": 0, "hide_collections": False, "discoverable": True,
        "indexable": False, "attribution_domains": [],
    }  # fmt: skip
    assert body["role"] == {
        "id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False
    }  # fmt: skip
    accounts.set_role(username="alice", role=Role.ADMIN)
    admin = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token_for(alice)))
    assert admin.get_json()["role"]["name"] == "Admin"
    assert admin.get_json()["role"]["permissions"] == str((1 << 20) - 1)


def test_verify_credentials_needs_a_user_token(client):
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 401
    r = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token_for(None)))
    assert r.status_code == 422


def test_update_credentials_multipart_with_images(client, alice):
    headers = bearer(token_for(alice))
    data = {
        "display_name": "Alice Liddell",
        "note": "Down the #rabbit hole with @bob\n\nhttps://example.com",
        "avatar": (png(800, 600), "me.png"),
        "header": (jpeg(3000, 500), "header.jpg"),
        "locked": "true",
        "bot": "1",
        "fields_attributes[0][name]": "Home",
        "fields_attributes[0][value]": "https://alice.example",
        "fields_attributes[1][name]": "Pronouns",
        "fields_attributes[1][value]": "she/her",
        "source[privacy]": "unlisted",
        "source[sensitive]": "true",
        "source[language]": "en",
    }
    make_local("bob")

    r = client.patch(
        "/api/v1/accounts/update_credentials", data=data, headers=headers,
        content_type="multipart/form-data",
    )  # fmt: skip

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["display_name"] == "Alice Liddell" and body["locked"] and body["bot"]
    assert '<a href="https://wren.test/tags/rabbit"' in body["note"]
    assert 'href="https://wren.test/@bob"' in body["note"]
    assert body["source"]["note"] == data["note"]
    assert body["source"]["privacy"] == "unlisted" and body["source"]["sensitive"] is True
    assert body["source"]["language"] == "en"
    assert [f["name"] for f in body["fields"]] == ["Home", "Pronouns"]
    assert 'rel="nofollow noopener noreferrer me"' in body["fields"][0]["value"]
    assert body["source"]["fields"][0] == {
        "name": "Home", "value": "https://alice.example", "verified_at": None
    }  # fmt: skip
    assert body["avatar"].startswith(f"https://wren.test/media/accounts/{alice.id}/avatar-")
    assert body["avatar_static"] == body["avatar"]
    with Image.open(media_path(body["avatar"])) as avatar:
        assert avatar.size == (400, 400) and avatar.format == "PNG"
    with Image.open(media_path(body["header"])) as header:
        assert header.size == (1500, 500) and header.format == "JPEG"

    served = client.get(body["avatar"].removeprefix("https://wren.test"))
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    prefs = client.get("/api/v1/preferences", headers=headers).get_json()
    assert prefs == {
        "posting:default:visibility": "unlisted", "posting:default:sensitive": True,
        "posting:default:language": "en", "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }  # fmt: skip


def test_a_new_avatar_replaces_the_old_file(client, alice):
    headers = bearer(token_for(alice))
    first = client.patch(
        "/api/v1/accounts/update_credentials", data={"avatar": (png(100, 100), "a.png")},
        headers=headers, content_type="multipart/form-data",
    ).get_json()["avatar"]  # fmt: skip
    second = client.patch(
        "/api/v1/accounts/update_credentials", data={"avatar": (jpeg(50, 80), "b.jpg")},
        headers=headers, content_type="multipart/form-data",
    ).get_json()["avatar"]  # fmt: skip
    assert first != second and not media_path(first).exists() and media_path(second).exists()
    with Image.open(media_path(second)) as small:
        assert small.size == (50, 50)  # cropped square, never scaled up


def test_update_credentials_with_json_and_form(client, alice):
    headers = bearer(token_for(alice))
    r = client.patch(
        "/api/v1/accounts/update_credentials",
        json={"display_name": "A", "discoverable": False, "indexable": True,
              "hide_collections": True, "fields_attributes": [{"name": "x", "value": "y"}]},
        headers=headers,
    )  # fmt: skip
    body = r.get_json()
    assert r.status_code == 200 and body["display_name"] == "A"
    assert (body["discoverable"], body["indexable"], body["hide_collections"]) == (
        False,
        True,
        True,
    )
    assert [(f["name"], f["value"]) for f in body["fields"]] == [("x", "y")]
    r = client.patch(
        "/api/v1/accounts/update_credentials", data={"note": ""}, headers=headers
    )  # fmt: skip
    assert r.get_json()["display_name"] == "A" and r.get_json()["note"] == ""
    assert r.get_json()["fields"][0]["name"] == "x"  # untouched when not sent


def test_locked_accounts_post_to_followers_by_default(client, alice):
    headers = bearer(token_for(alice))
    r = client.patch("/api/v1/accounts/update_credentials", data={"locked": "1"}, headers=headers)
    assert r.get_json()["source"]["privacy"] == "private"
    prefs = client.get("/api/v1/preferences", headers=headers).get_json()
    assert prefs["posting:default:visibility"] == "private"


def test_invalid_updates_are_422_and_change_nothing(client, alice):
    headers = bearer(token_for(alice))
    not_in_list = "is not included in the list"
    cases = [
        ({"display_name": "x" * 31}, "display_name",
         "Display name is too long (maximum is 30 characters)"),
        ({"note": "x" * 501}, "note", "Note is too long (maximum is 500 characters)"),
        ({"source[privacy]": "direct"}, "source.privacy", f"Source privacy {not_in_list}"),
        ({"source[language]": "english"}, "source.language", f"Source language {not_in_list}"),
        ({"avatar": (io.BytesIO(b"<svg/>"), "x.svg")}, "avatar", "Avatar is not a valid image"),
        ({"header": (io.BytesIO(b"GIF89a"), "x.gif")}, "header", "Header is not a valid image"),
    ]  # fmt: skip
    for data, field, message in cases:
        r = client.patch(
            "/api/v1/accounts/update_credentials", data=data, headers=headers,
            content_type="multipart/form-data",
        )  # fmt: skip
        assert r.status_code == 422, data
        assert r.get_json()["error"] == f"Validation failed: {message}"
        assert list(r.get_json()["details"]) == [field]
    fields = {f"fields_attributes[{i}][name]": f"n{i}" for i in range(5)}
    r = client.patch("/api/v1/accounts/update_credentials", data=fields, headers=headers)
    assert r.status_code == 422 and "fields" in r.get_json()["details"]
    db.session.refresh(alice)
    assert alice.display_name == "Alice" and alice.avatar_file is None and alice.fields == []


def test_oversized_images_are_refused(client, alice, monkeypatch):
    from fedi.services import media_files

    monkeypatch.setattr(media_files, "LIMIT", 1000)
    r = client.patch(
        "/api/v1/accounts/update_credentials", data={"avatar": (jpeg(600, 600), "big.jpg")},
        headers=bearer(token_for(alice)), content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 422
    assert r.get_json()["details"]["avatar"][0]["error"] == "ERR_TOO_BIG"


def test_update_credentials_needs_write_scope(client, alice):
    r = client.patch(
        "/api/v1/accounts/update_credentials", data={"display_name": "x"},
        headers=bearer(token_for(alice, "read")),
    )  # fmt: skip
    assert r.status_code == 403
    assert client.patch("/api/v1/accounts/update_credentials").status_code == 401


def test_preferences_defaults_and_scope(client, alice, bob):
    follows.follow(account=bob, target=alice)
    r = client.get("/api/v1/preferences", headers=bearer(token_for(alice)))
    assert r.get_json()["posting:default:visibility"] == "public"
    assert r.get_json()["posting:default:language"] is None
    assert (
        client.get("/api/v1/preferences", headers=bearer(token_for(alice, "write"))).status_code
        == 403
    )


def test_media_route_stays_inside_media_root(client):
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get("/media/accounts/1/missing.png").status_code == 404


def test_fields_attributes_as_rails_style_array_of_hashes(client, alice):
    """`fields_attributes[][name]=..&fields_attributes[][value]=..`, as some clients send it."""
    form = (
        "fields_attributes[][name]=Home&fields_attributes[][value]=https://alice.example"
        "&fields_attributes[][name]=Pronouns&fields_attributes[][value]=she/her"
    )
    r = client.patch(
        "/api/v1/accounts/update_credentials", data=form, headers=bearer(token_for(alice)),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    fields = r.get_json()["source"]["fields"]
    assert [(f["name"], f["value"]) for f in fields] == [
        ("Home", "https://alice.example"), ("Pronouns", "she/her")
    ]  # fmt: skip
