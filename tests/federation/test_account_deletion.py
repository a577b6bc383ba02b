# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Delete of a Person: everything the remote account left here goes (statuses, boosts,
favourites, follows both ways, feed entries, notifications), and the Delete is accepted although
the actor's document (and key) now answer 410 Gone: the actor is known, so its cached key
verifies the signature, as Mastodon's account deletion requires."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import (
    Account,
    Favourite,
    FeedEntry,
    Follow,
    FollowRequest,
    InboxItem,
    InboxState,
    Notification,
    Status,
)
from fedi.services import follows, statuses
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    AS_PUBLIC,
    RemoteActor,
    mallory,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, token_for


@pytest.fixture(autouse=True)
def _nothing_gone(remote_server):
    yield
    remote_server.gone.clear()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _rita_everywhere(client, alice: Account, rita: RemoteActor) -> tuple[Account, Status]:
    """rita follows alice and alice follows rita; rita posts a mention of alice, boosts and
    favourites alice's post. Returns rita's account and alice's post."""
    assert rita.post(client, "/inbox", rita.activity("Follow", alice.uri)).status_code == 202
    remote = resolve.resolve_account(rita.uri)
    request = follows.follow(account=alice, target=remote)
    assert isinstance(request, FollowRequest)
    accept = rita.activity("Accept", {"id": request.uri, "type": "Follow", "actor": alice.uri,
                                      "object": rita.uri})  # fmt: skip
    rita.post(client, "/users/alice/inbox", accept)
    mention = rita.note(
        "<p>hi @alice</p>", cc=[f"{rita.uri}/followers", alice.uri],
        tag=[{"type": "Mention", "href": alice.uri, "name": "@alice@wren.test"}],
    )  # fmt: skip
    rita.post(client, "/inbox", rita.activity("Create", mention))
    post = statuses.post_status(account=alice, text="a post by alice")
    boost = rita.activity("Announce", post.uri, to=[AS_PUBLIC], cc=[f"{rita.uri}/followers"])
    rita.post(client, "/inbox", boost)
    rita.post(client, "/inbox", rita.activity("Like", post.uri))
    db.session.expire_all()
    return remote, post


def test_delete_of_a_gone_actor_removes_everything_it_left(client, alice, rita):
    remote, post = _rita_everywhere(client, alice, rita)
    assert _count(Status, Status.account_id == remote.id, Status.deleted_at.is_(None)) == 2
    assert post.reblogs_count == 1 and post.favourites_count == 1
    assert _count(Follow) == 2 and _count(Favourite) == 1
    assert _count(FeedEntry, FeedEntry.author_id == remote.id) >= 1
    assert _count(Notification, Notification.from_account_id == remote.id) == 4
    rita.server.gone.add("/users/rita")  # the account is gone at its origin: 410
    gets = len(rita.server.gets)

    response = rita.post(client, "/inbox", rita.activity("Delete", rita.uri, to=[AS_PUBLIC]))

    assert response.status_code == 202
    assert len(rita.server.gets) == gets  # verified with the cached key, nothing fetched
    item = db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()
    assert item.activity_type == "Delete" and item.state == InboxState.PROCESSED
    db.session.expire_all()
    assert _count(Status, Status.account_id == remote.id, Status.deleted_at.is_(None)) == 0
    assert post.reblogs_count == 0 and post.favourites_count == 0
    assert _count(Favourite) == 0 and _count(Follow) == 0 and _count(FollowRequest) == 0
    assert _count(FeedEntry, FeedEntry.author_id == remote.id) == 0
    assert _count(Notification, Notification.from_account_id == remote.id) == 0
    assert db.session.get(Account, remote.id).suspended_at is not None
    headers = bearer(token_for(alice))
    assert client.get("/api/v1/timelines/home", headers=headers).get_json() == [
        client.get(f"/api/v1/statuses/{post.id}", headers=headers).get_json()
    ]
    assert client.get("/api/v1/notifications", headers=headers).get_json() == []
    me = client.get("/api/v1/accounts/verify_credentials", headers=headers).get_json()
    assert me["followers_count"] == 0 and me["following_count"] == 0


def test_delete_of_a_gone_actor_signed_with_another_key_is_refused(client, alice, rita, mallory):
    remote, _ = _rita_everywhere(client, alice, rita)
    rita.server.gone.add("/users/rita")
    forged = rita.activity("Delete", rita.uri)

    response = rita.post(client, "/inbox", forged, private_pem=mallory.private_pem)

    assert response.status_code == 401
    db.session.expire_all()
    assert _count(Status, Status.account_id == remote.id, Status.deleted_at.is_(None)) == 2
    assert db.session.get(Account, remote.id).suspended_at is None


def test_delete_of_someone_else_is_not_an_account_deletion(client, alice, rita, mallory):
    remote, _ = _rita_everywhere(client, alice, rita)
    mallory.post(client, "/inbox", mallory.activity("Delete", rita.uri))
    db.session.expire_all()
    assert db.session.get(Account, remote.id).suspended_at is None
    assert _count(Status, Status.account_id == remote.id, Status.deleted_at.is_(None)) == 2
