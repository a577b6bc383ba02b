"""POST /api/v1/apps in every parameter shape, Mastodon's validation errors."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from fedi.services import push
from tests.oauth_flow import CB, OOB


def test_register_with_form_json_and_query_parameters(client):
    uris = f"{CB}\nhttps://a.example/cb"
    form = client.post("/api/v1/apps", data={"client_name": "Form app", "redirect_uris": uris})
    body = form.get_json()
    assert form.status_code == 200
    assert body["redirect_uris"] == [CB, "https://a.example/cb"]
    assert body["redirect_uri"] == f"{CB}\nhttps://a.example/cb"
    assert body["scopes"] == ["read"] and body["website"] is None
    assert body["vapid_key"] == push.public_key()
    assert len(body["client_id"]) >= 32 and len(body["client_secret"]) >= 32
    assert body["client_secret_expires_at"] == 0 and body["id"].isdigit()

    query = client.post(
        "/api/v1/apps?"
        + urlencode({"client_name": "Q", "redirect_uris": OOB, "scopes": "read write push"})
    )
    assert query.status_code == 200 and query.get_json()["scopes"] == ["read", "write", "push"]
    listed = client.post("/api/v1/apps", data={"client_name": "A", "redirect_uris[]": [CB, OOB]})
    assert listed.get_json()["redirect_uris"] == [CB, OOB]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"client_name": ""}, "Validation failed: Application name can't be blank"),
        ({"redirect_uris": ""}, "Validation failed: Redirect URI can't be blank"),
        (
            {"redirect_uris": "/relative"},
            "Validation failed: Redirect URI must be an absolute URI.",
        ),
        (
            {"redirect_uris": "https://a.example/cb#x"},
            "Validation failed: Redirect URI cannot contain a fragment.",
        ),
        (
            {"redirect_uris": "javascript:alert(1)"},
            "Validation failed: Redirect URI is forbidden by the server.",
        ),
        (
            {"scopes": "read bogus"},
            "Validation failed: Scopes doesn't match configured on the server.",
        ),
        (
            {"client_name": "x" * 61},
            "Validation failed: Application name is too long (maximum is 60 characters)",
        ),
        ({"website": "not a url"}, "Validation failed: Application website is invalid"),
    ],
)
def test_register_validation_errors(client, fields, message):
    body = {"client_name": "App", "redirect_uris": CB} | fields
    r = client.post("/api/v1/apps", data=body)
    assert r.status_code == 422 and r.get_json() == {"error": message}


def test_register_lists_every_problem(client):
    r = client.post("/api/v1/apps", json={"scopes": "bogus"})
    assert r.get_json()["error"] == (
        "Validation failed: Application name can't be blank, Redirect URI can't be blank, "
        "Scopes doesn't match configured on the server."
    )
