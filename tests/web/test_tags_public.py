"""Hashtag pages and the public timelines, with the landing and about pages."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import InstanceRule
from fedi.services import blocks, statuses
from tests.oauth_flow import sign_in
from tests.web.a11y import assert_accessible
from tests.web.pages import page, remote_status


def test_tag_page_lists_public_posts_with_the_tag(client, alice):
    statuses.post_status(account=alice, text="singing #Wrens today")
    statuses.post_status(account=alice, text="quiet #wrens", visibility_="private")
    statuses.post_status(account=alice, text="no tag here")

    r = client.get("/tags/wrens")

    html = page(r)
    assert r.status_code == 200 and "<h1>#Wrens</h1>" in html
    assert "singing" in html and "quiet" not in html and "no tag here" not in html
    assert 'href="/tags/wrens.rss"' in html
    assert_accessible(html)


def test_unknown_tag_is_404(client):
    assert client.get("/tags/neverused").status_code == 404


def test_tag_page_htmx_fragment(client, alice):
    statuses.post_status(account=alice, text="#birds one")

    r = client.get("/tags/birds", headers={"HX-Request": "true"})

    assert "#birds" not in page(r).split("<article")[0] and "<html" not in page(r)
    assert "one" in page(r)


def test_local_and_federated_timelines(client, alice, remote_dave):
    statuses.post_status(account=alice, text="local words")
    statuses.post_status(account=alice, text="unlisted words", visibility_="unlisted")
    remote_status(remote_dave, "<p>remote words</p>")

    local = page(client.get("/public/local"))
    federated = page(client.get("/public"))

    assert "local words" in local and "remote words" not in local
    assert "local words" in federated and "remote words" in federated
    assert "unlisted words" not in local + federated
    assert_accessible(local)
    assert_accessible(federated)


def test_public_timeline_hides_blocked_authors_from_the_viewer(client, alice, bob):
    statuses.post_status(account=bob, text="bob speaks")
    blocks.block(account=alice, target=bob)

    assert "bob speaks" in page(client.get("/public/local"))
    sign_in(client, "alice")
    assert "bob speaks" not in page(client.get("/public/local"))


def test_landing_page_has_rules_stats_and_the_way_in(client, alice):
    db.session.add(InstanceRule(text="Be <kind>", hint="Really", priority=1))
    db.session.commit()
    statuses.post_status(account=alice, text="welcome post")

    html = page(client.get("/"))

    assert "Be &lt;kind&gt;" in html and "welcome post" in html
    assert 'href="/auth/sign_up"' in html and 'href="/auth/sign_in"' in html
    assert_accessible(html)


def test_about_page(client, app, alice):
    db.session.add(InstanceRule(text="No spam"))
    db.session.commit()
    app.config["FEDI"].INSTANCE_CONTACT_USERNAME = "alice"
    try:
        html = page(client.get("/about"))
    finally:
        app.config["FEDI"].INSTANCE_CONTACT_USERNAME = ""

    assert "No spam" in html and 'href="/@alice"' in html
    assert "Privacy policy" in html and "What this server stores" in html
    assert_accessible(html)
