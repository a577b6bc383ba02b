"""What a moderation action does everywhere, seen through the client API, the web UI and the
tasks: a suspended account vanishes from timelines, search, profiles, notifications and home
feeds, its tokens and sessions stop working, and its data is purged by the periodic task once
30 days have passed (the clock moved with fedi/clock.py); a disabled user cannot sign in; a
limited account leaves the public timelines and non-followers' notifications; a sensitized
account's media shows as sensitive to others. And the CLI's suspend/unsuspend."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from fedi import clock
from fedi.extensions import db
from fedi.models import (
    Account,
    AccountWarning,
    AuditLogEntry,
    Notification,
    OAuthToken,
    Role,
    Status,
)
from fedi.queue import huey
from fedi.services import account_moderation, follows, interactions, statuses
from fedi.tasks import moderation
from tests.helpers import bearer, make_local, token_for
from tests.oauth_flow import sign_in

ADMIN = "read write admin:read admin:write"


@pytest.fixture
def mod():
    return make_local("moddy", role=Role.MODERATOR)


def _act(client, mod, target, type_, **extra):
    token = token_for(mod, ADMIN)
    r = client.post(f"/api/v1/admin/accounts/{target.id}/action", headers=bearer(token),
                    json={"type": type_, **extra})  # fmt: skip
    assert r.status_code == 200, r.get_data(as_text=True)
    db.session.expire_all()


def _public_ids(client, token=None) -> set[str]:
    headers = bearer(token) if token else {}
    return {s["id"] for s in client.get("/api/v1/timelines/public", headers=headers).get_json()}


def test_a_suspended_account_vanishes_everywhere(client, app, mod, alice, bob):
    post = statuses.post_status(account=alice, text="hello #birds from alice")
    follows.follow(account=bob, target=alice)
    interactions.favourite(by=alice, status=statuses.post_status(account=bob, text="hi"))
    alice_token = token_for(alice)
    bob_token = token_for(bob)
    web = app.test_client()
    assert sign_in(web, "alice").status_code == 303
    assert str(post.id) in _public_ids(client)
    assert client.get("/api/v1/timelines/home", headers=bearer(bob_token)).get_json()
    assert client.get("/api/v1/notifications", headers=bearer(bob_token)).get_json()

    _act(client, mod, alice, "suspend", text="Spam")

    assert str(post.id) not in _public_ids(client)
    assert str(post.id) not in _public_ids(client, bob_token)
    tagged = client.get("/api/v1/timelines/tag/birds").get_json()
    assert str(post.id) not in {s["id"] for s in tagged}
    home = client.get("/api/v1/timelines/home", headers=bearer(bob_token)).get_json()
    assert str(post.id) not in {s["id"] for s in home}
    assert client.get("/api/v1/notifications", headers=bearer(bob_token)).get_json() == []
    found = client.get("/api/v2/search?q=alice&type=accounts", headers=bearer(bob_token))
    assert found.get_json()["accounts"] == []
    assert client.get(f"/api/v1/statuses/{post.id}").status_code == 404
    listed = client.get(f"/api/v1/accounts/{alice.id}/statuses")
    assert listed.status_code == 404 or listed.get_json() == []
    shown = client.get(f"/api/v1/accounts/{alice.id}").get_json()  # as Mastodon: marked
    assert shown["suspended"] is True and shown["display_name"] == ""
    assert app.test_client().get("/@alice").status_code in (404, 410)
    # every way in has ended: the token, the browser session, the password
    assert client.get("/api/v1/accounts/verify_credentials",
                      headers=bearer(alice_token)).status_code == 401  # fmt: skip
    assert web.get("/home").status_code == 302
    assert sign_in(app.test_client(), "alice").status_code != 303
    # the account is told, and the audit log records it
    assert db.session.scalar(select(AccountWarning.text)) == "Spam"
    assert db.session.scalar(select(AuditLogEntry.action)) == "suspend"
    # within the retention, everything comes back
    assert account_moderation.can_unsuspend(alice)
    token = token_for(mod, ADMIN)
    client.post(f"/api/v1/admin/accounts/{alice.id}/unsuspend", headers=bearer(token))
    assert str(post.id) in _public_ids(client)


def test_a_suspension_is_purged_after_thirty_days(client, tmp_path, mod, alice, bob):
    post_id = statuses.post_status(account=alice, text="soon gone").id
    follows.follow(account=bob, target=alice)
    _act(client, mod, alice, "suspend")
    keep = make_local("kept")
    _act(client, mod, keep, "suspend")
    token = token_for(mod, ADMIN)
    client.post(f"/api/v1/admin/accounts/{keep.id}/unsuspend", headers=bearer(token))

    moderation.purge_suspended_accounts.call_local()  # not yet: nothing goes
    assert db.session.get(Status, post_id) is not None

    path = str(tmp_path / "clock")
    clock.configure(path)
    try:
        clock.write_offset(path, 31 * 86400)
        moderation.purge_suspended_accounts.call_local()
    finally:
        clock.configure(None)
    db.session.expire_all()
    assert db.session.get(Status, post_id) is None
    alice = db.session.get(Account, alice.id)
    assert alice.suspended_at is not None and alice.purge_after is None
    assert alice.display_name == "" and alice.followers_count == 0
    assert not account_moderation.can_unsuspend(alice)
    assert db.session.get(Account, bob.id).following_count == 0
    assert db.session.get(Account, keep.id).suspended_at is None  # lifted in time: untouched
    live = (
        select(func.count())
        .select_from(OAuthToken)
        .where(OAuthToken.account_id == alice.id, OAuthToken.revoked_at.is_(None))
    )
    assert db.session.scalar(live) == 0


def test_the_purge_runs_every_hour():
    due = huey.read_periodic(datetime(2024, 1, 1, 5, 37))
    assert moderation.purge_suspended_accounts.task_class in [type(t) for t in due]


def test_a_disabled_user_cannot_sign_in_until_enabled(client, app, mod, alice):
    _act(client, mod, alice, "disable")
    assert sign_in(app.test_client(), "alice").status_code != 303
    token = token_for(mod, ADMIN)
    client.post(f"/api/v1/admin/accounts/{alice.id}/enable", headers=bearer(token))
    assert sign_in(app.test_client(), "alice").status_code == 303


def test_a_limited_account_leaves_public_timelines_and_strangers_notifications(
    client, mod, alice, bob, carol
):
    post = statuses.post_status(account=alice, text="loud #news")
    follows.follow(account=bob, target=alice)
    _act(client, mod, alice, "silence")
    assert str(post.id) not in _public_ids(client)
    tagged = client.get("/api/v1/timelines/tag/news").get_json()
    assert str(post.id) not in {s["id"] for s in tagged}
    home = client.get("/api/v1/timelines/home", headers=bearer(token_for(bob))).get_json()
    assert str(post.id) in {s["id"] for s in home}  # followers still see it

    alice = db.session.get(Account, alice.id)
    statuses.post_status(account=alice, text="@bob @carol hello")
    db.session.expire_all()
    told = set(db.session.scalars(select(Notification.account_id).where(
        Notification.from_account_id == alice.id)))  # fmt: skip
    assert bob.id in told and carol.id not in told


def test_a_sensitized_accounts_media_shows_as_sensitive(client, mod, alice, bob):
    post = statuses.post_status(account=alice, text="a picture")
    _act(client, mod, alice, "sensitive")
    seen = client.get(f"/api/v1/statuses/{post.id}", headers=bearer(token_for(bob))).get_json()
    assert seen["sensitive"] is True
    own = client.get(f"/api/v1/statuses/{post.id}", headers=bearer(token_for(alice))).get_json()
    assert own["sensitive"] is False  # as on Mastodon, the author sees what they chose
    later = statuses.post_status(account=db.session.get(Account, alice.id), text="another")
    assert later.sensitive is True


def test_cli_suspend_and_unsuspend(app, alice):
    make_local("admina", role=Role.ADMIN)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fedi", "suspend", "alice", "--text", "Bye"])
    assert result.exit_code == 0, result.output
    assert "@alice suspended by @admina" in result.output
    db.session.expire_all()
    assert db.session.get(Account, alice.id).suspended_at is not None
    result = runner.invoke(args=["fedi", "unsuspend", "alice"])
    assert result.exit_code == 0 and "unsuspended" in result.output
    db.session.expire_all()
    assert db.session.get(Account, alice.id).suspended_at is None
    missing = runner.invoke(args=["fedi", "suspend", "nobody@nowhere.example"])
    assert missing.exit_code != 0 and "No account" in missing.output
    actions = list(db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)))
    assert actions == ["suspend", "unsuspend"]


def test_retention_is_thirty_days():
    assert timedelta(days=30) == account_moderation.RETENTION


def test_a_remote_suspension_cuts_its_follows_both_ways(client, mod, alice, remote_dave):
    from fedi.models import Follow

    db.session.add_all([
        Follow(account_id=remote_dave.id, target_account_id=alice.id),
        Follow(account_id=alice.id, target_account_id=remote_dave.id),
    ])  # fmt: skip
    alice.followers_count = alice.following_count = 1
    remote_dave.followers_count = remote_dave.following_count = 1
    db.session.commit()
    _act(client, mod, remote_dave, "suspend")
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 0
    alice = db.session.get(Account, alice.id)
    assert alice.followers_count == 0 and alice.following_count == 0
    assert db.session.get(Account, remote_dave.id).purge_after is not None
