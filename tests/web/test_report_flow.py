"""Reporting from the web UI without JavaScript: the Report link of a post's page opens the
form (the post pre-checked, the rules, a comment), the plain POST with the CSRF token makes the
report through the same service as the API, the thank-you page offers mute and block, and a
moderator finds it in the queue and from their notification. A remote account's report can be
forwarded to its server as a Flag."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import InstanceRule, Report, ReportCategory, Role, Status, Visibility
from fedi.services import relationships, statuses
from tests.api.v1.test_reports import inbox  # noqa: F401  (the fixture)
from tests.federation.test_delivery import remote
from tests.helpers import make_local
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, page, signed_in


@pytest.fixture
def rules():
    rows = [
        InstanceRule(id=new_id(), text="No spam", priority=0),
        InstanceRule(id=new_id(), text="Be kind", hint="No harassment", priority=1),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def spam_path(status) -> str:
    return f"/@{status.account.acct}/{status.id}"


def test_report_a_post_from_its_page_to_the_moderators_queue(app, alice, bob, rules):
    moderator = make_local("moddy", role=Role.MODERATOR)
    older = statuses.post_status(account=bob, text="an older post")
    spam = statuses.post_status(account=bob, text="buy <b>cheap</b> pills")
    mine = statuses.post_status(account=alice, text="my own post")
    browser = signed_in(app, "alice")

    profile = page(browser, "/@bob")
    assert 'href="/@bob/report"' in profile  # the profile's Report link
    link = f"/@bob/{spam.id}/report"
    assert f'href="{spam_path(spam)}"' in profile  # a card links to its post's page ...
    thread = page(browser, f"/@bob/{spam.id}")
    assert f'href="{link}"' in thread  # ... where the focused card has the Report link
    assert f"/@alice/{mine.id}/report" not in page(browser, f"/@alice/{mine.id}")

    form = page(browser, link)
    assert_accessible(form)
    assert re.search(rf'value="{spam.id}" id="post-{spam.id}"[^>]*checked', form)
    assert not re.search(rf'value="{older.id}" id="post-{older.id}"[^>]*checked', form)
    assert "No spam" in form and "No harassment" in form
    assert "buy &lt;b&gt;cheap&lt;/b&gt; pills" in form  # the post's text, escaped
    assert 'name="forward"' not in form  # bob is local: nothing to forward
    assert 'maxlength="1000"' in form

    r = form_post(browser, "/reports", {
        "account_id": str(bob.id), "status_ids": [str(spam.id), str(older.id)],
        "category": "violation", "rule_ids": [str(rules[0].id)], "comment": "Pill spam <again>",
    })  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"].startswith("/reports/sent")
    thanks = page(browser, r.headers["Location"])
    assert "Thanks for reporting" in thanks and "Mute @bob" in thanks and "Block @bob" in thanks
    assert_accessible(thanks)

    report = db.session.scalar(select(Report))
    assert report.account_id == alice.id and report.target_account_id == bob.id
    assert report.status_ids == [spam.id, older.id] and report.rule_ids == [rules[0].id]
    assert report.category == ReportCategory.VIOLATION and report.comment == "Pill spam <again>"

    staff = signed_in(app, "moddy")
    queue = page(staff, "/admin/reports")
    assert f"/admin/reports/{report.id}" in queue and "@bob" in queue
    shown = page(staff, f"/admin/reports/{report.id}")
    assert "Pill spam &lt;again&gt;" in shown and "No spam" in shown
    assert "cheap" in shown and "<b>" not in shown.split("Reported posts")[1].split("Category")[0]
    notifications = page(staff, "/notifications")
    assert f'href="/admin/reports/{report.id}"' in notifications
    assert moderator.id != alice.id


def test_thank_you_page_mutes_or_blocks_the_account(app, alice, bob):
    browser = signed_in(app, "alice")
    r = form_post(browser, "/reports", {"account_id": str(bob.id), "category": "spam"})
    sent = r.headers["Location"]
    r = form_post(browser, f"/accounts/{bob.id}/mute", {"next": sent})
    assert r.status_code == 303 and r.headers["Location"] == sent
    assert "You muted @bob" in page(browser, sent)
    assert relationships.relationship(alice, bob).muting
    form_post(browser, f"/accounts/{bob.id}/block", {"next": sent})
    body = page(browser, sent)
    assert "You blocked @bob" in body and "Block @bob</button>" not in body


def test_bad_input_is_a_friendly_message(app, alice, bob):
    browser = signed_in(app, "alice")
    r = form_post(browser, "/reports", {"account_id": str(bob.id), "comment": "x" * 1001})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'role="alert"' in body and "too long" in body
    assert "x" * 1001 in body  # what was typed is kept
    r = form_post(browser, "/reports", {"account_id": str(bob.id), "category": "nonsense"})
    assert r.status_code == 422 and "is not included in the list" in r.get_data(as_text=True)
    assert form_post(browser, "/reports", {"account_id": "999"}).status_code == 404
    hidden = statuses.post_status(account=bob, text="for followers", visibility_="private")
    assert browser.get(f"/@bob/{hidden.id}/report").status_code == 404
    r = form_post(browser, "/reports", {"account_id": str(bob.id), "status_ids": [str(hidden.id)]})
    assert r.status_code == 404
    assert db.session.scalar(select(Report)) is None
    r = app.test_client().get(f"/@bob/{hidden.id}/report")
    assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]


def test_a_remote_accounts_report_is_forwarded_when_asked(app, alice, inbox):  # noqa: F811
    rick = remote(inbox, "rick", "far.example")
    theirs = Status(
        id=new_id(), uri=f"{rick.uri}/statuses/7", account_id=rick.id, content="<p>spam</p>",
        visibility=Visibility.PUBLIC, local=False,
    )  # fmt: skip
    db.session.add(theirs)
    db.session.commit()
    browser = signed_in(app, "alice")

    form = page(browser, f"/@rick@far.example/{theirs.id}/report")
    assert 'name="forward"' in form and "far.example" in form
    r = form_post(browser, "/reports", {"account_id": str(rick.id), "status_ids": [str(theirs.id)],
                                        "comment": "Spam bot", "forward": "1"})  # fmt: skip
    assert r.status_code == 303
    report = db.session.scalar(select(Report))
    assert report.forwarded is True
    (delivered,) = inbox.posts
    assert delivered["body"]["type"] == "Flag"
    assert delivered["body"]["object"] == [rick.uri, theirs.uri]
    assert alice.uri not in str(delivered["body"])
