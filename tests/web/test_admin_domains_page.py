"""Admin → Federation and Admin → Sign-up blocks without JavaScript: plain forms with the CSRF
token that redirect back with a notice, mistakes shown on the page, a page per domain with its
delivery health and a form to clear it, and 403 for moderators and users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import (
    AuditLogEntry,
    DomainBlock,
    DomainHealth,
    EmailDomainBlock,
    Follow,
    IpBlock,
    Role,
    utcnow,
)
from tests.helpers import make_local, make_remote
from tests.web.signed_in import form_post, page, signed_in


@pytest.fixture
def browser(app):
    make_local("boss", role=Role.ADMIN)
    return signed_in(app, "boss")


def test_block_edit_and_remove_a_domain(browser):
    index = page(browser, "/admin/domains")
    assert "<h1>Federation</h1>" in index and 'label for="new-domain"' in index
    assert 'aria-current="page"' in index  # the admin navigation shows where we are

    r = form_post(browser, "/admin/domains/blocks", {
        "domain": "Bad.Example", "severity": "suspend", "reject_media": "1",
        "public_comment": "Harassment <b>", "private_comment": "ticket 9",
    })  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin/domains?notice=blocked")
    listed = page(browser, "/admin/domains?notice=blocked")
    assert "Domain blocked." in listed and "bad.example" in listed
    assert "Harassment &lt;b&gt;" in listed and "<b>" not in listed.split("Harassment")[1][:10]

    again = form_post(browser, "/admin/domains/blocks", {"domain": "bad.example"})
    assert again.status_code == 422
    assert "You have already imposed stricter limits on bad.example." in again.get_data(True)
    bad = form_post(browser, "/admin/domains/blocks", {"domain": "not a domain"})
    assert bad.status_code == 422 and "Domain is invalid" in bad.get_data(True)

    block = db.session.scalar(select(DomainBlock))
    detail = page(browser, "/admin/domains/bad.example")
    assert "Save the block" in detail and 'value="suspend" selected' in detail
    r = form_post(browser, f"/admin/domains/blocks/{block.id}", {
        "severity": "silence", "public_comment": "Calmer now",
    })  # fmt: skip
    assert (
        r.status_code == 303
        and "/admin/domains/bad.example?notice=updated" in r.headers["Location"]
    )
    db.session.expire_all()
    assert block.severity.value == "silence" and block.reject_media is False
    assert block.public_comment == "Calmer now"

    r = form_post(browser, f"/admin/domains/blocks/{block.id}/delete")
    assert r.status_code == 303
    assert db.session.scalar(select(DomainBlock)) is None
    actions = db.session.scalars(
        select(AuditLogEntry.action).where(AuditLogEntry.target_type == "DomainBlock")
        .order_by(AuditLogEntry.id)
    ).all()  # fmt: skip
    assert actions == ["create", "update", "destroy"]


def test_allows(browser):
    index = page(browser, "/admin/domains")
    assert "Limited federation mode is off" in index
    r = form_post(browser, "/admin/domains/allows", {"domain": "friends.example"})
    assert r.status_code == 303
    listed = page(browser, "/admin/domains")
    assert "friends.example" in listed
    allow_id = listed.split("/admin/domains/allows/")[1].split("/delete")[0]
    assert form_post(browser, f"/admin/domains/allows/{allow_id}/delete").status_code == 303
    assert "No domain is allowed." in page(browser, "/admin/domains")


def test_a_domain_page_and_clearing_its_delivery_health(browser):
    alice = make_local("alice")
    remote = make_remote("far", "far.example")
    db.session.add(Follow(account_id=alice.id, target_account_id=remote.id))
    db.session.add(DomainHealth(domain="far.example", failure_days=7, unavailable=True,
                                first_failure_at=utcnow(), last_failure_at=utcnow()))  # fmt: skip
    db.session.commit()

    index = page(browser, "/admin/domains")
    assert 'href="/admin/domains/far.example"' in index
    detail = page(browser, "/admin/domains/far.example")
    assert "Marked unavailable" in detail and "Not blocked." in detail
    assert '<th scope="row">Our accounts following its ones</th><td>1</td>' in detail
    r = form_post(browser, "/admin/domains/far.example/clear_health")
    assert r.status_code == 303 and r.headers["Location"].endswith("?notice=cleared")
    assert db.session.get(DomainHealth, "far.example") is None
    assert "No delivery failures recorded." in page(browser, "/admin/domains/far.example")
    assert page(browser, "/admin/domains/not%20a%20domain", 404)


def test_forms_need_the_csrf_token(browser):
    r = browser.post("/admin/domains/blocks", data={"domain": "bad.example"})
    assert r.status_code in (400, 403)
    assert db.session.scalar(select(DomainBlock)) is None


def test_sign_up_blocks_page(browser):
    index = page(browser, "/admin/sign_up_blocks")
    assert "<h1>Sign-up blocks</h1>" in index and 'label for="email-domain"' in index
    r = form_post(browser, "/admin/sign_up_blocks/email_domains", {"domain": "spam.example"})
    assert r.status_code == 303
    again = form_post(browser, "/admin/sign_up_blocks/email_domains", {"domain": "spam.example"})
    assert again.status_code == 422 and "has already been taken" in again.get_data(True)
    r = form_post(browser, "/admin/sign_up_blocks/ips", {
        "ip": "192.0.2.0/24", "severity": "sign_up_block", "comment": "bots", "expires_in": "86400",
    })  # fmt: skip
    assert r.status_code == 303
    bad = form_post(browser, "/admin/sign_up_blocks/ips", {"ip": "nope", "severity": "no_access"})
    assert bad.status_code == 422 and "Ip is invalid" in bad.get_data(True)
    listed = page(browser, "/admin/sign_up_blocks")
    assert "spam.example" in listed and "192.0.2.0/24" in listed and "Block sign-ups" in listed

    email = db.session.scalar(select(EmailDomainBlock))
    ip = db.session.scalar(select(IpBlock))
    assert (
        form_post(browser, f"/admin/sign_up_blocks/email_domains/{email.id}/delete").status_code
        == 303
    )
    assert form_post(browser, f"/admin/sign_up_blocks/ips/{ip.id}/delete").status_code == 303
    after = page(browser, "/admin/sign_up_blocks")
    assert "No e-mail domain is blocked." in after and "No IP block." in after


@pytest.mark.parametrize(
    "path",
    ["/admin/domains", "/admin/domains/x.example", "/admin/sign_up_blocks"],
)
def test_admins_only(app, path):
    make_local("alice")
    make_local("moddy", role=Role.MODERATOR)
    assert signed_in(app, "alice").get(path).status_code == 403
    moderator = signed_in(app, "moddy")
    assert moderator.get(path).status_code == 403
    assert "/admin/domains" not in page(moderator, "/admin/audit_log")  # not in the navigation
    r = app.test_client().get(path)
    assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]


@pytest.mark.parametrize(
    "path",
    ["/admin/domains/blocks", "/admin/domains/allows", "/admin/domains/x.example/clear_health",
     "/admin/sign_up_blocks/email_domains", "/admin/sign_up_blocks/ips"],
)  # fmt: skip
def test_moderators_cannot_post(app, path):
    make_local("moddy", role=Role.MODERATOR)
    moderator = signed_in(app, "moddy")
    assert form_post(moderator, path, {"domain": "x.example", "ip": "192.0.2.1"}).status_code == 403
