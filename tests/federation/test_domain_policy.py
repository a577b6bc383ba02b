# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""What a server-level domain block does to federation with that domain (a loopback "remote
server" stands in for it): its inbound activities refused before any work, nothing fetched
from it and nothing delivered to it, limited federation mode, a limited domain's new accounts
limited on arrival, rejected media and rejected reports."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.federation import delivery, resolve
from fedi.models import (
    Account,
    Delivery,
    Follow,
    InboxItem,
    MediaAttachment,
    MediaType,
    Report,
    Role,
)
from fedi.services import domain_moderation, statuses
from fedi.services.domain_moderation import BlockForm
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    RemoteActor,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, make_local, token_for


@pytest.fixture
def admin() -> Account:
    return make_local("boss", role=Role.ADMIN)


def _host(actor: RemoteActor) -> str:
    return actor.server.base.removeprefix("http://")


def _block(admin, actor: RemoteActor, severity: str, **options) -> None:
    domain_moderation.create_block(admin, _host(actor), BlockForm(severity=severity, **options))


def _items() -> int:
    return db.session.scalar(select(func.count()).select_from(InboxItem))


def test_a_suspended_domain_is_refused_at_the_inbox_before_any_work(client, admin, rita):
    _block(admin, rita, "suspend")
    gets = len(rita.server.gets)
    r = rita.post(client, "/inbox", rita.activity("Create", rita.note("hello")))
    assert r.status_code == 403
    assert _items() == 0 and len(rita.server.gets) == gets  # no key fetched, nothing stored


def test_nothing_is_fetched_from_a_suspended_domain(admin, rita):
    _block(admin, rita, "suspend")
    gets = len(rita.server.gets)
    assert resolve.resolve_account(rita.uri) is None
    assert resolve.fetch_object(rita.uri) is None
    assert len(rita.server.gets) == gets


def test_nothing_is_delivered_to_a_suspended_domain(alice, admin, rita):
    _block(admin, rita, "suspend")
    activity = {"id": "https://local.test/activities/1", "type": "Create", "actor": alice.uri}
    inboxes = [f"{rita.server.base}/inbox", "https://elsewhere.example/inbox"]
    delivery.deliver_activity(actor=alice, activity=activity, inboxes=inboxes)
    assert db.session.scalars(select(Delivery.domain)).all() == ["elsewhere.example"]


def test_limited_federation_mode_takes_only_allowed_domains(client, admin, rita):
    settings = current_app.config["FEDI"]
    settings.LIMITED_FEDERATION_MODE = True
    try:
        r = rita.post(client, "/inbox", rita.activity("Create", rita.note("hello")))
        assert r.status_code == 403 and _items() == 0
        assert resolve.resolve_account(rita.uri) is None
        domain_moderation.create_allow(admin, _host(rita))
        r = rita.post(client, "/inbox", rita.activity("Create", rita.note("hello again")))
        assert r.status_code == 202 and _items() == 1
    finally:
        settings.LIMITED_FEDERATION_MODE = False


def test_a_limited_domains_new_accounts_are_limited_and_media_rejected(client, alice, admin, rita):
    rita.doc["icon"] = {"type": "Image", "url": "https://media.example/avatar.png"}
    _block(admin, rita, "silence", reject_media=True)
    account = resolve.resolve_account(rita.uri)
    assert account.silenced_at is not None and account.avatar_remote_url is None
    db.session.add(Follow(account_id=alice.id, target_account_id=account.id))
    db.session.commit()
    note = rita.note(
        "look",
        attachment=[{"type": "Document", "mediaType": "image/png",
                     "url": "https://media.example/cat.png", "blurhash": "LEHV6nWB2yk8"}],
    )  # fmt: skip
    assert rita.post(client, "/inbox", rita.activity("Create", note)).status_code == 202
    (media,) = db.session.scalars(select(MediaAttachment)).all()
    assert media.type == MediaType.UNKNOWN and media.blurhash is None
    shown = client.get(f"/api/v1/statuses/{media.status_id}", headers=bearer(token_for(alice)))
    (entity,) = shown.get_json()["media_attachments"]
    assert entity["type"] == "unknown" and entity["preview_url"] is None  # a plain link
    assert "media.example" not in shown.get_json()["account"]["avatar"]  # the default one
    rita.doc.pop("icon")


def test_reports_of_a_domain_rejecting_reports_are_ignored(client, alice, admin, rita):
    _block(admin, rita, "noop", reject_reports=True)
    spam = statuses.post_status(account=alice, text="hello")
    flag = rita.activity("Flag", [alice.uri, spam.uri], content="rude")
    assert rita.post(client, "/inbox", flag).status_code == 202
    assert db.session.scalars(select(Report)).all() == []
