# ruff: noqa: F811  (pytest fixtures imported from test_client are parameters here)
"""Search with resolve=true: each URL is fetched once, and the whole resolve has one deadline."""

from __future__ import annotations

import time

from fedi.federation import remote_search
from tests.federation.test_client import (  # noqa: F401  (fixtures)
    allow,
    document,
    drip,
    loopback,
    remote,
)
from tests.helpers import bearer, token_for


def resolve(client, viewer, q: str) -> dict:
    r = client.get(
        "/api/v2/search",
        query_string={"q": q, "resolve": "true"},
        headers=bearer(token_for(viewer, "read")),
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_url_naming_an_actor_is_fetched_once(client, alice, loopback, remote):
    url = remote.url("/users/zoe")
    actor = {"id": url, "type": "Person", "preferredUsername": "zoe", "inbox": url + "/inbox"}
    remote.routes["/users/zoe"] = document(actor)

    found = resolve(client, alice, url)

    assert [a["username"] for a in found["accounts"]] == ["zoe"] and found["statuses"] == []
    assert [r["path"] for r in remote.requests] == ["/users/zoe"]


def test_a_dripping_server_gets_one_request_and_one_deadline(
    client, alice, loopback, remote, monkeypatch
):
    """A server that drips its answer used to be fetched twice (as a status, then as an
    account), each time up to the fetch deadline."""
    monkeypatch.setattr(remote_search, "RESOLVE_DEADLINE", 1.0)
    remote.routes["/slow"] = drip(headers_first=True)

    started = time.monotonic()
    found = resolve(client, alice, remote.url("/slow"))

    assert time.monotonic() - started < 1.8
    assert found["accounts"] == [] and found["statuses"] == []
    assert [r["path"] for r in remote.requests] == ["/slow"]


def test_a_webfinger_answer_whose_links_are_not_a_list_finds_nothing(client, alice, allow, remote):
    """`links: 1.5` raised TypeError (a 500) while looking for the actor's link."""
    allow("127.0.0.0/8", local_https=False)
    for links in (1.5, "self", {"rel": "self"}, None):
        jrd = {"subject": f"acct:zoe@127.0.0.1:{remote.port}", "links": links}
        remote.routes["/.well-known/webfinger"] = document(jrd, "application/jrd+json")

        found = resolve(client, alice, f"@zoe@127.0.0.1:{remote.port}")

        assert found["accounts"] == [] and found["statuses"] == []


def test_null_characters_in_a_fetched_document_are_dropped(client, alice, loopback, remote):
    """As in inbound activities: PostgreSQL could not store them (a 500 there)."""
    url = remote.url("/users/zoe")
    actor = {
        "id": url, "type": "Person", "preferredUsername": "zoe", "inbox": url + "/inbox",
        "name": "Zo\u0000e", "context": "\u0000" * 10, "summary\u0000": "x",
    }  # fmt: skip
    remote.routes["/users/zoe"] = document(actor)

    found = resolve(client, alice, url)

    assert [a["display_name"] for a in found["accounts"]] == ["Zoe"]
