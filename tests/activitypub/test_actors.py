"""Actors and their collections as ActivityStreams, content negotiation, AUTHORIZED_FETCH."""

from __future__ import annotations

from contextlib import contextmanager

from fedi.extensions import db
from fedi.federation import serializers
from fedi.models import Follow
from fedi.services import featured_tags, follows, interactions, statuses
from tests.activitypub.conftest import AS2
from tests.helpers import make_local, make_remote

# Key fields of a Person as Mastodon 4.x serves it (docs.joinmastodon.org/spec/activitypub and
# mastodon.social/users/<name> fetched with Accept: application/activity+json), trimmed.
MASTODON_PERSON = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
         "toot": "http://joinmastodon.org/ns#",
         "featured": {"@id": "toot:featured", "@type": "@id"},
         "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
         "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
         "movedTo": {"@id": "as:movedTo", "@type": "@id"},
         "schema": "http://schema.org#", "PropertyValue": "schema:PropertyValue",
         "value": "schema:value", "discoverable": "toot:discoverable",
         "suspended": "toot:suspended", "memorial": "toot:memorial",
         "indexable": "toot:indexable",
         "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"}},
    ],
    "id": "https://mastodon.social/users/Gargron",
    "type": "Person",
    "following": "https://mastodon.social/users/Gargron/following",
    "followers": "https://mastodon.social/users/Gargron/followers",
    "inbox": "https://mastodon.social/users/Gargron/inbox",
    "outbox": "https://mastodon.social/users/Gargron/outbox",
    "featured": "https://mastodon.social/users/Gargron/collections/featured",
    "featuredTags": "https://mastodon.social/users/Gargron/collections/tags",
    "preferredUsername": "Gargron",
    "name": "Eugen Rochko",
    "summary": "<p>Founder of Mastodon</p>",
    "url": "https://mastodon.social/@Gargron",
    "manuallyApprovesFollowers": False,
    "discoverable": True,
    "indexable": True,
    "published": "2016-03-16T00:00:00Z",
    "memorial": False,
    "publicKey": {
        "id": "https://mastodon.social/users/Gargron#main-key",
        "owner": "https://mastodon.social/users/Gargron",
        "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n",
    },
    "tag": [],
    "attachment": [{"type": "PropertyValue", "name": "Patreon", "value": "<a>patreon</a>"}],
    "endpoints": {"sharedInbox": "https://mastodon.social/inbox"},
    "icon": {"type": "Image", "mediaType": "image/png", "url": "https://files.mastodon.social/a.png"},
    "image": {"type": "Image", "mediaType": "image/png", "url": "https://files.mastodon.social/h.png"},
}  # fmt: skip


@contextmanager
def authorized_fetch(app):
    settings = app.config["FEDI"]
    settings.AUTHORIZED_FETCH = True
    try:
        yield
    finally:
        settings.AUTHORIZED_FETCH = False


def _context_terms(document: dict) -> dict:
    return {
        k: v for part in document["@context"] if isinstance(part, dict) for k, v in part.items()
    }


def test_actor_has_mastodons_shape(client, alice):
    alice.note = "<p>Hi there</p>"
    alice.fields = [{"name": "Site", "value": '<a href="https://a.example">a.example</a>'}]
    alice.avatar_remote_url = "https://cdn.example/avatar.png"
    db.session.commit()

    r = client.get("/users/alice", headers=AS2)

    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/activity+json; charset=utf-8"
    assert "Accept" in r.headers["Vary"]
    body = r.get_json()
    assert set(MASTODON_PERSON) - {"image"} <= set(body)
    assert body["@context"][:2] == MASTODON_PERSON["@context"][:2]
    for term, value in MASTODON_PERSON["@context"][2].items():
        assert _context_terms(body)[term] == value
    assert body["id"] == "https://wren.test/users/alice"
    assert body["type"] == "Person"
    assert body["inbox"] == "https://wren.test/users/alice/inbox"
    assert body["followers"] == "https://wren.test/users/alice/followers"
    assert body["featuredTags"] == "https://wren.test/users/alice/collections/tags"
    assert body["url"] == "https://wren.test/@alice"
    assert body["preferredUsername"] == "alice" and body["name"] == "Alice"
    assert body["summary"] == "<p>Hi there</p>"
    assert body["endpoints"] == {"sharedInbox": "https://wren.test/inbox"}
    assert body["publicKey"] == {
        "id": "https://wren.test/users/alice#main-key",
        "owner": "https://wren.test/users/alice",
        "publicKeyPem": alice.public_key,
    }
    assert body["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert body["attachment"] == [
        {"type": "PropertyValue", "name": "Site", "value": alice.fields[0]["value"]}
    ]
    assert body["icon"] == {"type": "Image", "url": "https://cdn.example/avatar.png",
                            "mediaType": "image/png"}  # fmt: skip
    assert "image" not in body
    assert body["published"].endswith("T00:00:00.000Z")
    assert body["manuallyApprovesFollowers"] is False


def test_actor_types_locked_and_moved(client):
    bot = make_local("robot")
    bot.bot, bot.locked = True, True
    target = make_remote("newhome")
    bot.moved_to_account_id = target.id
    bot.also_known_as = ["https://remote.example/users/old"]
    db.session.commit()

    body = client.get("/users/robot", headers=AS2).get_json()

    assert body["type"] == "Service"
    assert body["manuallyApprovesFollowers"] is True
    assert body["movedTo"] == target.uri
    assert body["alsoKnownAs"] == ["https://remote.example/users/old"]


def test_ld_json_with_profile_is_activitypub(client, alice):
    accept = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    r = client.get("/users/alice", headers={"Accept": accept})
    assert r.status_code == 200 and r.get_json()["type"] == "Person"
    plain_ld = client.get("/users/alice", headers={"Accept": "application/ld+json"})
    assert plain_ld.status_code == 302


def test_browser_is_redirected_to_profile_page(client, alice):
    r = client.get("/users/alice", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 302
    assert r.headers["Location"] == "https://wren.test/@alice"
    assert "Accept" in r.headers["Vary"]


def test_unknown_actor_is_404(client):
    assert client.get("/users/nobody", headers=AS2).status_code == 404
    assert client.get("/users/nobody/outbox", headers=AS2).status_code == 404


def test_instance_actor(client):
    r = client.get("/actor", headers=AS2)
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == "https://wren.test/actor"
    assert body["type"] == "Application"
    assert body["preferredUsername"] == "wren.test"
    assert body["inbox"] == "https://wren.test/actor/inbox"
    assert body["publicKey"]["id"] == "https://wren.test/actor#main-key"
    assert "followers" not in body
    outbox = client.get("/actor/outbox", headers=AS2).get_json()
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 0
    # The same row every time, invisible in user counts.
    assert client.get("/actor", headers=AS2).get_json()["publicKey"] == body["publicKey"]
    assert client.get("/nodeinfo/2.0").get_json()["usage"]["users"]["total"] == 0
    assert client.get("/users/wren.test", headers=AS2).headers["Location"].endswith("/actor")


def test_outbox_pages_newest_first_with_creates_and_announces(client, alice, bob):
    posts = [statuses.post_status(account=alice, text=f"post {i}") for i in range(23)]
    statuses.post_status(account=alice, text="secret", visibility_="private")
    statuses.post_status(account=alice, text="dm @bob", visibility_="direct")
    original = statuses.post_status(account=bob, text="boost me")
    boost = interactions.reblog(status=original, by=alice)

    root = client.get("/users/alice/outbox", headers=AS2).get_json()
    assert root["type"] == "OrderedCollection"
    assert root["totalItems"] == 26
    assert root["first"] == "https://wren.test/users/alice/outbox?page=true"
    assert root["last"] == "https://wren.test/users/alice/outbox?min_id=0&page=true"

    first = client.get(root["first"], headers=AS2).get_json()
    assert first["type"] == "OrderedCollectionPage"
    assert first["partOf"] == "https://wren.test/users/alice/outbox"
    items = first["orderedItems"]
    assert len(items) == 20
    assert items[0] == {**{k: v for k, v in serializers.announce(boost).items() if k != "@context"}}
    assert items[0]["type"] == "Announce" and items[0]["object"] == original.uri
    assert items[1]["type"] == "Create"
    assert items[1]["id"] == f"{posts[-1].uri}/activity"
    assert items[1]["object"]["content"] == "<p>post 22</p>"
    assert all("secret" not in i.get("object", {}).get("content", "") for i in items[1:])

    second = client.get(first["next"], headers=AS2).get_json()
    rest = [i["object"]["id"] for i in second["orderedItems"]]
    assert rest == [p.uri for p in reversed(posts[:4])]
    last = client.get(root["last"], headers=AS2).get_json()
    assert last["orderedItems"][-1]["object"]["id"] == posts[0].uri


def test_followers_and_following_pages(client, alice, bob, carol, remote_dave):
    for who in (bob, carol):
        follows.follow(account=who, target=alice)
    db.session.add(Follow(account_id=remote_dave.id, target_account_id=alice.id))
    db.session.commit()
    db.session.refresh(alice)
    follows.follow(account=alice, target=bob)

    root = client.get("/users/alice/followers", headers=AS2).get_json()
    assert root["type"] == "OrderedCollection"
    assert root["first"] == "https://wren.test/users/alice/followers?page=true"
    page = client.get(root["first"], headers=AS2).get_json()
    assert sorted(page["orderedItems"]) == sorted([bob.uri, carol.uri, remote_dave.uri])
    assert page["partOf"] == "https://wren.test/users/alice/followers"
    following = client.get("/users/alice/following?page=true", headers=AS2).get_json()
    assert following["orderedItems"] == [bob.uri]
    assert client.get("/users/alice/following", headers=AS2).get_json()["totalItems"] == 1


def test_hidden_collections_show_only_the_total(client, alice, bob):
    follows.follow(account=bob, target=alice)
    alice.hide_collections = True
    db.session.commit()

    root = client.get("/users/alice/followers", headers=AS2).get_json()
    assert root["totalItems"] == 1 and "first" not in root
    assert client.get("/users/alice/followers?page=true", headers=AS2).status_code == 403


def test_featured_and_featured_tags(client, alice):
    pinned = statuses.post_status(account=alice, text="pinned #Cats")
    statuses.post_status(account=alice, text="not pinned")
    interactions.pin(status=pinned, by=alice)
    featured_tags.feature(account=alice, name="Cats")

    featured = client.get("/users/alice/collections/featured", headers=AS2).get_json()
    assert featured["type"] == "OrderedCollection" and featured["totalItems"] == 1
    assert featured["orderedItems"][0]["id"] == pinned.uri
    assert featured["orderedItems"][0]["type"] == "Note"
    tags = client.get("/users/alice/collections/tags", headers=AS2).get_json()
    assert tags["items"] == [
        {"type": "Hashtag", "href": "https://wren.test/tags/cats", "name": "#Cats"}
    ]


def test_authorized_fetch_requires_signatures(app, client, alice, signed_get):
    statuses.post_status(account=alice, text="hello")
    with authorized_fetch(app):
        assert client.get("/users/alice/outbox", headers=AS2).status_code == 401
        assert client.get("/users/alice/followers", headers=AS2).status_code == 401
        minimal = client.get("/users/alice", headers=AS2).get_json()
        assert minimal["publicKey"]["id"] == "https://wren.test/users/alice#main-key"
        assert "summary" not in minimal and "followers" not in minimal
        assert client.get("/actor", headers=AS2).status_code == 200

        assert signed_get("/users/alice/outbox").status_code == 200
        full = signed_get("/users/alice").get_json()
        assert "followers" in full


def test_forged_signature_is_not_trusted(app, alice, signed_get):
    with authorized_fetch(app):
        assert signed_get("/users/alice/outbox", pem=_fresh_key()).status_code == 401


def _fresh_key() -> str:
    """A private key nobody published (the test run's keypair generator is fixed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip
    return pem


def test_update_actor_activity(alice):
    activity = serializers.update_actor(alice)
    assert activity["type"] == "Update"
    assert activity["actor"] == alice.uri
    assert activity["object"]["id"] == alice.uri and "@context" not in activity["object"]
    assert activity["id"].startswith(f"{alice.uri}#updates/")


def test_suspended_actor_keeps_only_its_identity(client, alice):
    from fedi.models import utcnow

    alice.note, alice.suspended_at = "<p>bio</p>", utcnow()
    alice.avatar_remote_url = "https://cdn.example/a.png"
    db.session.commit()

    body = client.get("/users/alice", headers=AS2).get_json()

    assert body["suspended"] is True
    assert body["summary"] == "" and "icon" not in body
    assert body["publicKey"]["owner"] == alice.uri
