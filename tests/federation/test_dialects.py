# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Inbound dialects other servers speak, delivered with real signatures to the inbox: types given
as arrays, objects that are not Notes (Image, Video, Audio, Article, Page, Event), a Note without
`attributedTo`, mentions named otherwise than `@user@host`, actors whose server has no
WebFinger, and times with fractional seconds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import (
    Account,
    InboxItem,
    InboxState,
    Status,
)
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    AS_PUBLIC,
    RemoteActor,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, token_for


def _last_item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def _status(uri: str) -> Status | None:
    return db.session.scalar(select(Status).where(Status.uri == uri))


def _api_status(client, viewer: Account, uri: str) -> dict:
    status = _status(uri)
    assert status is not None, _last_item().error
    response = client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token_for(viewer)))
    assert response.status_code == 200
    return response.get_json()


def _create(client, actor: RemoteActor, obj, **fields) -> InboxItem:
    activity = actor.activity("Create", obj, **fields)
    assert actor.post(client, "/inbox", activity).status_code == 202
    return _last_item()


def _to(alice: Account) -> dict:
    """Addressed to alice (so it concerns someone here) and public."""
    return {"to": [AS_PUBLIC, alice.uri], "cc": []}


# --- 1. types given as arrays --------------------------------------------------------------


@pytest.mark.parametrize("kind", [["Note"], ["Note", "Article"]])
def test_an_object_typed_as_an_array_is_shown(client, alice, rita, kind):
    note = rita.note("<p>typed as a list</p>", type=kind, **_to(alice))

    item = _create(client, rita, note)

    assert item.state == InboxState.PROCESSED, item.error
    body = _api_status(client, alice, note["id"])
    assert "typed as a list" in body["content"]


def test_an_activity_typed_as_an_array_is_processed(client, alice, rita):
    note = rita.note("<p>both as lists</p>", type=["Note"], **_to(alice))
    activity = rita.activity(["Create"], note)

    assert rita.post(client, "/inbox", activity).status_code == 202

    item = _last_item()
    assert item.activity_type == "Create" and item.state == InboxState.PROCESSED, item.error
    assert _status(note["id"]) is not None


def test_a_fetched_object_typed_as_an_array_is_shown(client, alice, rita):
    note = rita.server.serve(rita.note("<p>fetched</p>", type=["Note"], **_to(alice)))

    item = _create(client, rita, note["id"])

    assert item.state == InboxState.PROCESSED, item.error
    assert _status(note["id"]) is not None
