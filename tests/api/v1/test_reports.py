"""POST /api/v1/reports: Mastodon's Report entity, its validation wording, staff notifications
(admin.report, with the report embedded) and forwarding to a remote account's server as a
signed Flag from our instance actor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from fedi.events import bus, channels
from fedi.extensions import db
from fedi.federation import instance_actor
from fedi.ids import new_id
from fedi.models import (
    Account,
    InstanceRule,
    Notification,
    NotificationType,
    OutboxActivity,
    Report,
    Role,
    Status,
    Visibility,
    utcnow,
)
from fedi.services import follows, statuses
from tests.federation.test_delivery import Inbox, remote
from tests.helpers import bearer, make_local, token_for


@pytest.fixture
def staff() -> list[Account]:
    return [make_local("root_admin", role=Role.ADMIN), make_local("moddy", role=Role.MODERATOR)]


def report_notes(account: Account) -> list[Notification]:
    query = select(Notification).where(
        Notification.account_id == account.id, Notification.type == NotificationType.ADMIN_REPORT
    )
    return list(db.session.scalars(query))


def post_report(client, reporter: Account, scopes: str = "write:reports", **body):
    return client.post("/api/v1/reports", headers=bearer(token_for(reporter, scopes)), json=body)


def test_report_with_statuses_answers_the_entity_and_notifies_staff(
    client, alice, bob, carol, staff
):
    spam = statuses.post_status(account=bob, text="buy now")
    live = bus.subscribe([channels.user(staff[0].id)])
    try:
        r = post_report(
            client, alice, account_id=str(bob.id), status_ids=[str(spam.id)],
            comment="  This is spam  ", category="spam",
        )  # fmt: skip
        event = live.get(timeout=1)
    finally:
        live.close()

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    report = db.session.get(Report, int(body["id"]))
    assert body == {
        "id": str(report.id), "action_taken": False, "action_taken_at": None,
        "category": "spam", "comment": "This is spam", "forwarded": False,
        "created_at": body["created_at"], "status_ids": [str(spam.id)], "rule_ids": None,
        "target_account": body["target_account"],
    }  # fmt: skip
    assert body["target_account"]["id"] == str(bob.id) and body["created_at"].endswith("Z")
    assert report.account_id == alice.id and report.uri is None
    for member in staff:
        (note,) = report_notes(member)
        assert note.from_account_id == alice.id and note.report_id == report.id
    assert report_notes(carol) == [] and report_notes(bob) == []
    note_id = str(report_notes(staff[0])[0].id)
    assert event == (
        channels.user(staff[0].id),
        {"event": "notification", "notification_id": note_id},
    )
    seen = client.get("/api/v1/notifications", headers=bearer(token_for(staff[0]))).get_json()
    assert [n["type"] for n in seen] == ["admin.report"]
    assert seen[0]["account"]["id"] == str(alice.id)
    assert seen[0]["report"]["id"] == str(report.id)
    assert seen[0]["report"]["target_account"]["acct"] == "bob"


def test_staff_hear_once_while_a_report_about_the_account_is_unresolved(
    client, alice, bob, carol, staff
):
    assert post_report(client, alice, account_id=str(bob.id)).status_code == 200
    assert post_report(client, carol, account_id=str(bob.id)).status_code == 200
    assert len(report_notes(staff[0])) == 1

    for report in db.session.scalars(select(Report)):
        report.action_taken_at = utcnow()
    db.session.commit()
    assert post_report(client, carol, account_id=str(bob.id)).status_code == 200
    assert len(report_notes(staff[0])) == 2


def test_rules_make_a_violation_and_must_exist(client, alice, bob):
    rule = InstanceRule(text="No spam")
    db.session.add(rule)
    db.session.commit()

    r = post_report(client, alice, account_id=str(bob.id), rule_ids=[str(rule.id)])
    assert r.status_code == 200
    assert r.get_json()["category"] == "violation"
    assert r.get_json()["rule_ids"] == [str(rule.id)]

    r = post_report(client, alice, account_id=str(bob.id), category="violation",
                    rule_ids=[str(rule.id), "12345"])  # fmt: skip
    assert r.status_code == 422
    assert r.get_json()["error"] == "Validation failed: Rule ids does not reference valid rules"


def test_form_parameters_with_brackets_work_too(client, alice, bob):
    one = statuses.post_status(account=bob, text="one")
    two = statuses.post_status(account=bob, text="two")
    r = client.post(
        "/api/v1/reports", headers=bearer(token_for(alice)),
        data={"account_id": str(bob.id), "status_ids[]": [str(one.id), str(two.id)],
              "forward": "false", "category": "other"},
    )  # fmt: skip
    assert r.status_code == 200
    assert r.get_json()["status_ids"] == [str(one.id), str(two.id)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"comment": "x" * 1001},
         "Validation failed: Comment is too long (maximum is 1000 characters)"),
        ({"category": "rude"}, "Validation failed: Category is not included in the list"),
        ({"status_ids": ["not-a-number"]}, "Validation failed: Status ids is invalid"),
    ],
)  # fmt: skip
def test_bad_input_is_422_and_stores_nothing(client, alice, bob, staff, body, message):
    r = post_report(client, alice, account_id=str(bob.id), **body)
    assert r.status_code == 422
    assert r.get_json()["error"] == message
    assert db.session.scalars(select(Report)).all() == []
    assert report_notes(staff[0]) == []


def test_unknown_suspended_or_unreportable_targets_are_404(client, alice, bob, carol):
    assert post_report(client, alice, account_id="999").status_code == 404
    assert post_report(client, alice).status_code == 404
    carols = statuses.post_status(account=carol, text="carol's")
    r = post_report(client, alice, account_id=str(bob.id), status_ids=[str(carols.id)])
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    secret = statuses.post_status(account=bob, text="followers only", visibility_="private")
    r = post_report(client, alice, account_id=str(bob.id), status_ids=[str(secret.id)])
    assert r.status_code == 404
    follows.follow(account=alice, target=bob)
    r = post_report(client, alice, account_id=str(bob.id), status_ids=[str(secret.id)])
    assert r.status_code == 200
    bob.suspended_at = utcnow()
    db.session.commit()
    assert post_report(client, alice, account_id=str(bob.id)).status_code == 404


def test_a_deleted_public_status_can_still_be_reported(client, alice, bob):
    gone = statuses.post_status(account=bob, text="said and deleted")
    statuses.delete_status(status=gone, by=bob)
    r = post_report(client, alice, account_id=str(bob.id), status_ids=[str(gone.id)])
    assert r.status_code == 200 and r.get_json()["status_ids"] == [str(gone.id)]


def test_needs_the_write_reports_scope(client, alice, bob):
    assert post_report(client, alice, "read", account_id=str(bob.id)).status_code == 403
    assert post_report(client, alice, "write", account_id=str(bob.id)).status_code == 200
    assert client.post("/api/v1/reports", json={"account_id": str(bob.id)}).status_code == 401


# --- forwarding ---------------------------------------------------------------------------


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    actor = instance_actor.get_instance_actor()
    settings = app.config["FEDI"]
    saved = list(settings.ALLOWED_PRIVATE_ADDRESSES)
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    server = Inbox({actor.public_key_id: actor.public_key})
    try:
        yield server
    finally:
        settings.ALLOWED_PRIVATE_ADDRESSES = saved
        server.close()


def test_forward_sends_a_signed_flag_from_the_instance_actor(client, alice, inbox):
    rick = remote(inbox, "rick", "far.example")
    theirs = Status(
        id=new_id(), uri=f"{rick.uri}/statuses/7", account_id=rick.id, content="<p>spam</p>",
        visibility=Visibility.PUBLIC, local=False,
    )  # fmt: skip
    db.session.add(theirs)
    db.session.commit()

    r = post_report(client, alice, account_id=str(rick.id), status_ids=[str(theirs.id)],
                    comment="Spam bot", forward="true")  # fmt: skip

    assert r.status_code == 200 and r.get_json()["forwarded"] is True
    (delivered,) = inbox.posts
    actor = instance_actor.get_instance_actor()
    assert delivered["path"] == "/users/rick/inbox"
    assert delivered["key_id"] == actor.public_key_id  # signed by the instance actor
    flag = delivered["body"]
    assert flag["type"] == "Flag" and flag["actor"] == actor.uri
    assert flag["object"] == [rick.uri, theirs.uri]
    assert flag["content"] == "Spam bot"
    assert alice.uri not in str(flag)  # the reporter stays anonymous
    assert db.session.scalar(select(OutboxActivity.type)) == "Flag"


def test_no_forward_no_flag_and_local_targets_are_never_forwarded(client, alice, bob, inbox):
    rick = remote(inbox, "rick", "far.example")
    r = post_report(client, alice, account_id=str(rick.id), forward=False)
    assert r.status_code == 200 and r.get_json()["forwarded"] is False
    r = post_report(client, alice, account_id=str(bob.id), forward=True)
    assert r.status_code == 200 and r.get_json()["forwarded"] is False
    assert inbox.posts == []
    assert db.session.scalars(select(OutboxActivity)).all() == []


def test_forward_to_domains_reaches_the_servers_the_reported_posts_reply_to(client, alice, inbox):
    """Mastodon's `forward_to_domains[]`: the listed servers of the accounts the reported
    statuses reply to get the Flag too; the target's own server only if it is listed."""
    rick = remote(inbox, "rick", "far.example")
    vic = remote(inbox, "vic", "victim.example", shared=False)
    other = remote(inbox, "olga", "unlisted.example", shared=False)

    def reply_to(parent_author, n: int) -> Status:
        status = Status(
            id=new_id(), uri=f"{rick.uri}/statuses/{n}", account_id=rick.id,
            content="<p>abuse</p>", visibility=Visibility.PUBLIC, local=False,
            in_reply_to_account_id=parent_author.id,
        )  # fmt: skip
        db.session.add(status)
        db.session.commit()
        return status

    ids = [str(reply_to(vic, 1).id), str(reply_to(other, 2).id)]
    r = post_report(client, alice, account_id=str(rick.id), status_ids=ids, forward="true",
                    forward_to_domains=["VICTIM.example.", "far.example"])  # fmt: skip
    assert r.status_code == 200 and r.get_json()["forwarded"] is True
    paths = sorted(p["path"] for p in inbox.posts)
    assert paths == ["/users/rick/inbox", "/users/vic/inbox"]  # not olga's: unlisted domain
    assert {p["body"]["type"] for p in inbox.posts} == {"Flag"}

    inbox.posts.clear()
    r = post_report(client, alice, account_id=str(rick.id), status_ids=ids[:1], forward="true",
                    forward_to_domains=["victim.example"])  # fmt: skip
    assert r.status_code == 200 and r.get_json()["forwarded"] is False  # origin not listed
    assert [p["path"] for p in inbox.posts] == ["/users/vic/inbox"]
