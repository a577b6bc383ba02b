"""/@name and /@name/<id> answer browsers with HTML and ActivityPub clients with a redirect to
the actor or object id."""

from __future__ import annotations

import pytest

from fedi.services import statuses
from tests.web.pages import remote_status

AS2 = [
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    "application/activity+json, application/ld+json",
]


@pytest.mark.parametrize("accept", AS2)
def test_activitypub_clients_are_redirected_to_the_actor(client, alice, accept):
    r = client.get("/@alice", headers={"Accept": accept})

    assert r.status_code == 302
    assert r.headers["Location"] == "https://wren.test/users/alice"
    assert "Accept" in r.headers["Vary"]


def test_activitypub_clients_are_redirected_to_the_status(client, alice):
    status = statuses.post_status(account=alice, text="hello")

    r = client.get(f"/@alice/{status.id}", headers={"Accept": AS2[0]})

    assert r.status_code == 302
    assert r.headers["Location"] == f"https://wren.test/users/alice/statuses/{status.id}"
    assert "Accept" in r.headers["Vary"]


def test_remote_account_and_status_redirect_to_their_origin(client, remote_dave):
    status = remote_status(remote_dave)

    r = client.get("/@dave@remote.example", headers={"Accept": AS2[0]})
    assert r.headers["Location"] == "https://remote.example/users/dave"
    r = client.get(f"/@dave@remote.example/{status.id}", headers={"Accept": AS2[0]})
    assert r.headers["Location"] == status.uri


def test_browsers_get_html(client, alice):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

    r = client.get("/@alice", headers={"Accept": browser})

    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "Accept" in r.headers["Vary"]


def test_hidden_statuses_are_404_for_activitypub_clients_too(client, alice):
    status = statuses.post_status(account=alice, text="secret", visibility_="private")

    assert client.get(f"/@alice/{status.id}", headers={"Accept": AS2[0]}).status_code == 404


def test_local_acct_with_our_domain_is_the_same_profile(client, alice):
    assert client.get("/@alice@wren.test").status_code == 200
    r = client.get("/@alice@wren.test", headers={"Accept": AS2[0]})
    assert r.headers["Location"] == "https://wren.test/users/alice"
