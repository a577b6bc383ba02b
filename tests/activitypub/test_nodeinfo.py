"""NodeInfo discovery and documents, with truthful numbers."""

from __future__ import annotations

from fedi.services import statuses


def test_well_known_links_both_versions(client):
    body = client.get("/.well-known/nodeinfo").get_json()
    assert body["links"] == [
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "https://wren.test/nodeinfo/2.0"},
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": "https://wren.test/nodeinfo/2.1"},
    ]  # fmt: skip


def test_documents_count_local_users_and_posts(client, alice, bob):
    statuses.post_status(account=alice, text="hello")
    gone = statuses.post_status(account=alice, text="deleted")
    statuses.delete_status(status=gone, by=alice)

    for version in ("2.0", "2.1"):
        r = client.get(f"/nodeinfo/{version}")
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("application/json; profile=")
        body = r.get_json()
        assert body["version"] == version
        assert body["software"]["name"] == "wren"
        assert body["protocols"] == ["activitypub"]
        assert body["usage"]["users"]["total"] == 2
        assert body["usage"]["localPosts"] == 1
        assert body["openRegistrations"] is True
    assert client.get("/nodeinfo/3.0").status_code == 404
