"""Public profiles: /@user (tabs, pinned posts, paging, HTMX fragments) and /@user@domain."""

from __future__ import annotations

from fedi.extensions import db
from fedi.services import follows, interactions, statuses
from tests.helpers import count_queries, make_local
from tests.oauth_flow import sign_in
from tests.web.a11y import assert_accessible
from tests.web.pages import attach_image, page, remote_status


def test_profile_shows_bio_fields_counts_and_posts(client, alice):
    alice.note = '<p>Birds &amp; <a href="https://wren.test/tags/birds">#birds</a></p>'
    alice.fields = [{"name": "Site", "value": '<a href="https://alice.example">alice.example</a>'}]
    db.session.commit()
    statuses.post_status(account=alice, text="hello world")

    r = client.get("/@alice")

    html = page(r)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<h1 id="account-name">Alice</h1>' in html and "@alice@wren.test" in html
    assert 'Birds &amp; <a href="https://wren.test/tags/birds">#birds</a>' in html
    assert "<dt>Site</dt>" in html and 'href="https://alice.example"' in html
    assert "hello world" in html and "<dt>Posts</dt><dd>1</dd>" in html
    assert "Accept" in r.headers["Vary"] and "HX-Request" in r.headers["Vary"]
    assert_accessible(html)


def test_display_name_and_field_markup_are_escaped(client):
    make_local("mallory", display_name="<script>alert(1)</script>")
    from fedi.services import accounts

    mallory = accounts.get_local("mallory")
    mallory.fields = [{"name": "<b>x</b>", "value": "<img src=x onerror=alert(1)>"}]
    db.session.commit()

    html = page(client.get("/@mallory"))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror" not in html and "<b>x</b>" not in html


def test_open_graph_and_alternate_links(client, alice):
    alice.note = "<p>I <em>watch</em> birds</p>"
    db.session.commit()

    html = page(client.get("/@alice"))

    assert '<meta property="og:type" content="profile">' in html
    assert '<meta property="og:title" content="Alice (@alice@wren.test)">' in html
    assert '<meta property="og:description" content="I watch birds">' in html
    assert '<meta property="og:url" content="https://wren.test/@alice">' in html
    assert '<meta property="og:image" content="https://wren.test/static/icons/avatar.png">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert (
        '<link rel="alternate" type="application/activity+json" '
        'href="https://wren.test/users/alice">' in html
    )
    assert 'type="application/rss+xml"' in html and 'href="/@alice.rss"' in html


def test_private_posts_are_hidden_from_visitors_and_shown_to_followers(client, alice, bob):
    statuses.post_status(account=alice, text="for everyone")
    statuses.post_status(account=alice, text="followers only", visibility_="private")
    statuses.post_status(account=alice, text="just bob @bob", visibility_="direct")

    visitor = page(client.get("/@alice"))
    assert "for everyone" in visitor
    assert "followers only" not in visitor and "just bob" not in visitor

    follows.follow(account=bob, target=alice)
    sign_in(client, "bob")
    follower = page(client.get("/@alice"))
    assert "followers only" in follower


def test_tabs_split_posts_replies_and_media(client, alice, bob):
    top = statuses.post_status(account=bob, text="bob asks")
    statuses.post_status(account=alice, text="a plain post")
    statuses.post_status(account=alice, text="a reply to bob", in_reply_to=top)
    pictured = statuses.post_status(account=alice, text="look at this")
    attach_image(pictured, "A wren singing")

    posts = page(client.get("/@alice"))
    replies = page(client.get("/@alice/with_replies"))
    media = page(client.get("/@alice/media"))

    assert "a plain post" in posts and "a reply to bob" not in posts
    assert "a plain post" in replies and "a reply to bob" in replies
    assert "In reply to" in replies and 'href="/@bob/' in replies
    assert "look at this" in media and "a plain post" not in media
    assert 'alt="A wren singing"' in media
    assert 'href="/@alice/media" aria-current="page"' in media
    assert_accessible(media)


def test_pinned_posts_come_first(client, alice):
    old = statuses.post_status(account=alice, text="pinned thoughts")
    statuses.post_status(account=alice, text="newer post")
    interactions.pin(status=old, by=alice)

    html = page(client.get("/@alice"))

    assert "Pinned" in html
    assert html.index("pinned thoughts") < html.index("newer post")


def test_paging_with_load_more_and_htmx_fragment(client, alice):
    posted = [statuses.post_status(account=alice, text=f"post number {i}") for i in range(23)]

    first = page(client.get("/@alice"))
    assert "post number 22" in first and "post number 2<" not in first
    cursor = posted[3].id
    assert f'href="?max_id={cursor}"' in first and f'hx-get="?max_id={cursor}"' in first

    r = client.get(f"/@alice?max_id={cursor}", headers={"HX-Request": "true"})
    fragment = page(r)
    assert r.status_code == 200 and "<html" not in fragment and "<h1" not in fragment
    assert "post number 2<" in fragment and "post number 0<" in fragment
    assert "post number 3<" not in fragment and "Load more" not in fragment
    assert "HX-Request" in r.headers["Vary"]

    full = page(client.get(f"/@alice?max_id={cursor}"))
    assert "<html" in full and "post number 0<" in full


def test_unknown_suspended_and_unconfirmed_profiles_are_404(client, alice):
    from fedi.models import utcnow

    assert client.get("/@nobody").status_code == 404
    assert client.get("/@nobody@remote.example").status_code == 404
    alice.suspended_at = utcnow()
    db.session.commit()
    assert client.get("/@alice").status_code == 404


def test_known_remote_profile(client, remote_dave):
    remote_dave.display_name = "Dave"
    remote_dave.note = "<p>remote bio</p>"
    db.session.commit()
    remote_status(remote_dave, "<p>hello from afar</p>")

    r = client.get("/@dave@remote.example")

    html = page(r)
    assert r.status_code == 200 and "remote bio" in html and "hello from afar" in html
    assert "@dave@remote.example" in html and 'href="https://remote.example/@dave"' in html
    assert_accessible(html)


def _queries_for(client, path: str) -> int:
    with count_queries() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_query_count_does_not_grow_with_the_page(client, alice, bob, remote_dave):
    def post_batch(n: int) -> None:
        for i in range(n):
            parent = statuses.post_status(account=bob, text=f"q {i} #tag @alice")
            reply = statuses.post_status(account=alice, text=f"a {i} @bob", in_reply_to=parent)
            attach_image(reply)
            interactions.reblog(status=parent, by=alice)

    post_batch(2)
    few = _queries_for(client, "/@alice/with_replies")
    post_batch(8)
    many = _queries_for(client, "/@alice/with_replies")

    assert many == few


def test_signed_in_profile_and_status_pages_stay_accessible(client, alice, bob):
    status = statuses.post_status(account=alice, text="hello bob")
    sign_in(client, "bob")

    assert_accessible(page(client.get("/@alice")))
    assert_accessible(page(client.get(f"/@alice/{status.id}")))
