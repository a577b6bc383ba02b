"""WebFinger for acct: and URL resources (local accounts and the instance actor), host-meta."""

from __future__ import annotations

from fedi.extensions import db


def _jrd(client, resource: str):
    return client.get("/.well-known/webfinger", query_string={"resource": resource})


def test_acct_resource(client, alice):
    alice.avatar_file = "1/avatar.png"
    db.session.commit()

    r = _jrd(client, "acct:alice@wren.test")

    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/jrd+json; charset=utf-8"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    body = r.get_json()
    assert body["subject"] == "acct:alice@wren.test"
    assert body["aliases"] == ["https://wren.test/@alice", "https://wren.test/users/alice"]
    links = {link["rel"]: link for link in body["links"]}
    assert links["self"] == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "https://wren.test/users/alice",
    }
    assert links["http://webfinger.net/rel/profile-page"] == {
        "rel": "http://webfinger.net/rel/profile-page",
        "type": "text/html",
        "href": "https://wren.test/@alice",
    }
    assert links["http://ostatus.org/schema/1.0/subscribe"]["template"] == (
        "https://wren.test/authorize_interaction?uri={uri}"
    )
    assert links["http://webfinger.net/rel/avatar"] == {
        "rel": "http://webfinger.net/rel/avatar",
        "type": "image/png",
        "href": "https://wren.test/media/1/avatar.png",
    }


def test_case_insensitive_and_bare_resources(client, alice):
    for resource in ("acct:ALICE@Wren.Test", "alice@wren.test", "acct:@alice@wren.test"):
        assert _jrd(client, resource).get_json()["subject"] == "acct:alice@wren.test", resource


def test_url_resources(client, alice):
    for resource in ("https://wren.test/users/alice", "https://wren.test/@alice"):
        r = _jrd(client, resource)
        assert r.status_code == 200, resource
        assert r.get_json()["subject"] == "acct:alice@wren.test"


def test_instance_actor(client):
    for resource in ("acct:wren.test@wren.test", "https://wren.test/actor"):
        body = _jrd(client, resource).get_json()
        assert body["subject"] == "acct:wren.test@wren.test"
        links = {link["rel"]: link["href"] for link in body["links"] if "href" in link}
        assert links["self"] == "https://wren.test/actor"


def test_unknown_and_foreign_resources_are_404(client, alice, remote_dave):
    for resource in (
        "acct:nobody@wren.test",
        "acct:alice@other.example",
        "acct:dave@remote.example",
        "https://other.example/users/alice",
        "https://wren.test/users/nobody",
        "acct:alice",
    ):
        r = _jrd(client, resource)
        assert r.status_code == 404, resource
        assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_missing_resource_is_400(client):
    assert client.get("/.well-known/webfinger").status_code == 400
    assert _jrd(client, "").status_code == 400


def test_host_meta_xml(client):
    r = client.get("/.well-known/host-meta")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/xrd+xml")
    text = r.get_data(as_text=True)
    assert '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">' in text
    assert (
        '<Link rel="lrdd" template="https://wren.test/.well-known/webfinger?resource={uri}"/>'
        in text
    )


def test_host_meta_json(client):
    expected = {
        "links": [
            {"rel": "lrdd", "template": "https://wren.test/.well-known/webfinger?resource={uri}"}
        ]
    }
    assert client.get("/.well-known/host-meta.json").get_json() == expected
    r = client.get("/.well-known/host-meta", headers={"Accept": "application/json"})
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.get_json() == expected
