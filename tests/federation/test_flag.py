# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Inbound Flag: a signed POST from another server's instance actor becomes a report about our
account, with only that account's statuses the reporter's server could have seen, and staff
hear of it; a redelivered Flag makes nothing new."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import (
    Account,
    Follow,
    InboxItem,
    InboxState,
    Notification,
    NotificationType,
    Report,
    ReportCategory,
    Role,
    utcnow,
)
from fedi.services import follows, reports, statuses
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    RemoteActor,
    fixture,
    private_fetches,
    remote_keys,
    remote_server,
)
from tests.helpers import bearer, make_local, token_for


@pytest.fixture
def instance(remote_server, remote_keys, private_fetches) -> RemoteActor:
    """The remote server's instance actor (an Application, as Mastodon's `/actor`)."""
    remote_server.posts.clear()
    host = remote_server.base.removeprefix("http://")
    return RemoteActor(remote_server, host, remote_keys[0], type="Application")


@pytest.fixture
def admin() -> Account:
    return make_local("boss", role=Role.ADMIN)


def _reports() -> list[Report]:
    return list(db.session.scalars(select(Report).order_by(Report.id)))


def _last_item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def test_mastodon_flag_becomes_a_report_and_notifies_staff(client, alice, bob, admin, instance):
    spam = statuses.post_status(account=alice, text="buy my stuff")
    activity = fixture(
        "mastodon_flag.json", REMOTE=instance.server.base, ACTOR=instance.uri,
        LOCAL_ACTOR=alice.uri, OBJECT=spam.uri,
    )  # fmt: skip

    assert instance.post(client, "/inbox", activity).status_code == 202

    (report,) = _reports()
    reporter = db.session.get(Account, report.account_id)
    assert reporter.uri == instance.uri and reporter.actor_type == "Application"
    assert report.target_account_id == alice.id and report.status_ids == [spam.id]
    assert report.comment == "Spam links in every reply" and report.uri == activity["id"]
    assert report.category == ReportCategory.OTHER and report.forwarded is False
    assert _last_item().state == InboxState.PROCESSED
    seen = client.get("/api/v1/notifications", headers=bearer(token_for(admin))).get_json()
    assert [n["type"] for n in seen] == ["admin.report"]
    assert seen[0]["account"]["acct"] == f"{reporter.username}@{reporter.domain}"
    assert seen[0]["report"]["target_account"]["acct"] == "alice"
    assert seen[0]["report"]["status_ids"] == [str(spam.id)]
    assert (
        db.session.scalars(select(Notification).where(Notification.account_id == bob.id)).all()
        == []
    )


def test_redelivered_flag_makes_one_report(client, alice, admin, instance):
    activity = instance.activity("Flag", [alice.uri], content="again and again")
    instance.post(client, "/inbox", activity)
    instance.post(client, "/inbox", activity)
    (report,) = _reports()
    reporter = db.session.get(Account, report.account_id)
    again = reports.receive_flag(
        reporter=reporter, target=alice, status_ids=[], comment="x", uri=activity["id"]
    )
    assert again is not None and again.id == report.id
    assert len(_reports()) == 1
    notes = db.session.scalars(
        select(Notification).where(Notification.type == NotificationType.ADMIN_REPORT)
    ).all()
    assert len(notes) == 1


def test_only_the_reported_accounts_own_statuses_are_attached(client, alice, bob, instance):
    mine = statuses.post_status(account=alice, text="alice's")
    theirs = statuses.post_status(account=bob, text="bob's")
    activity = instance.activity("Flag", [alice.uri, mine.uri, theirs.uri, bob.uri],
                                 content="both")  # fmt: skip
    instance.post(client, "/inbox", activity)

    by_target = {r.target_account_id: r for r in _reports()}
    assert by_target[alice.id].status_ids == [mine.id]
    assert by_target[bob.id].status_ids == [theirs.id]


def test_private_statuses_only_when_the_reporters_server_could_see_them(
    client, alice, instance, remote_server, remote_keys
):
    public = statuses.post_status(account=alice, text="public")
    private = statuses.post_status(account=alice, text="secret", visibility_="private")
    flag = instance.activity("Flag", [alice.uri, public.uri, private.uri])
    instance.post(client, "/inbox", flag)
    assert _reports()[0].status_ids == [public.id]

    # Once someone on that server follows alice, her private posts reached it.
    fran = RemoteActor(remote_server, "fran", remote_keys[1])
    follows.follow(account=resolve.resolve_account(fran.uri), target=alice)
    assert db.session.scalar(select(Follow.id)) is not None
    instance.post(client, "/inbox", instance.activity("Flag", [alice.uri, private.uri]))
    assert _reports()[1].status_ids == [private.id]


def test_flag_about_nobody_here_or_a_suspended_account_is_ignored(client, alice, instance):
    instance.post(client, "/inbox", instance.activity("Flag", ["https://elsewhere.example/u/x"]))
    assert _last_item().state == InboxState.IGNORED
    alice.suspended_at = utcnow()
    db.session.commit()
    instance.post(client, "/inbox", instance.activity("Flag", alice.uri, content="gone"))
    assert _last_item().state == InboxState.IGNORED
    assert _reports() == []


def test_hostile_comment_is_kept_as_capped_plain_text(client, alice, instance):
    comment = "<script>alert(1)</script>\x00\x07" + "y" * 6000
    instance.post(client, "/inbox", instance.activity("Flag", alice.uri, content=comment))
    (report,) = _reports()
    assert report.comment.startswith("<script>alert(1)</script>y")  # escaped when shown
    assert "\x00" not in report.comment and len(report.comment) == reports.MAX_REMOTE_COMMENT
