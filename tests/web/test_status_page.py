"""The single status page /@user/<id>: the thread, visibility (404s), content warnings, media,
OpenGraph tags and the HTMX fragment."""

from __future__ import annotations

from fedi.services import follows, interactions, statuses
from tests.oauth_flow import sign_in
from tests.web.a11y import assert_accessible
from tests.web.pages import attach_image, page, remote_status


def test_status_page_shows_the_thread_in_order(client, alice, bob):
    root = statuses.post_status(account=bob, text="the question")
    reply = statuses.post_status(account=alice, text="the answer", in_reply_to=root)
    statuses.post_status(account=bob, text="thanks", in_reply_to=reply)

    r = client.get(f"/@alice/{reply.id}")

    html = page(r)
    assert r.status_code == 200
    main = html[html.index('id="main"') :]
    assert main.index("the question") < main.index("the answer") < main.index("thanks")
    assert f'id="status-{reply.id}"' in html and "class=focused" in html
    assert f'<a href="/@bob/{root.id}">' in html  # the card's date links to the post
    assert "Accept" in r.headers["Vary"]
    assert_accessible(html)


def test_private_and_direct_posts_are_404_for_those_who_may_not_see_them(client, alice, bob):
    private = statuses.post_status(account=alice, text="followers only", visibility_="private")
    direct = statuses.post_status(account=alice, text="psst @bob", visibility_="direct")

    assert client.get(f"/@alice/{private.id}").status_code == 404
    assert client.get(f"/@alice/{direct.id}").status_code == 404

    sign_in(client, "bob")
    assert client.get(f"/@alice/{direct.id}").status_code == 200  # mentioned
    assert client.get(f"/@alice/{private.id}").status_code == 404
    follows.follow(account=bob, target=alice)
    assert "followers only" in page(client.get(f"/@alice/{private.id}"))


def test_hidden_replies_stay_out_of_a_visible_thread(client, alice, bob):
    root = statuses.post_status(account=alice, text="open question")
    statuses.post_status(
        account=bob, text="a secret reply", in_reply_to=root, visibility_="private"
    )

    assert "a secret reply" not in page(client.get(f"/@alice/{root.id}"))


def test_wrong_account_unknown_and_deleted_statuses_are_404(client, alice, bob):
    status = statuses.post_status(account=alice, text="mine")

    assert client.get(f"/@bob/{status.id}").status_code == 404
    assert client.get("/@alice/12345").status_code == 404
    assert client.get("/@alice/99999999999999999999").status_code == 404
    statuses.delete_status(status=status, by=alice)
    assert client.get(f"/@alice/{status.id}").status_code == 404


def test_content_warning_hides_the_text_and_the_preview_image(client, alice):
    status = statuses.post_status(account=alice, text="spoilers <here>", spoiler_text="film plot")
    attach_image(status, 'A "quoted" description')

    html = page(client.get(f"/@alice/{status.id}"))

    assert "<details><summary>film plot</summary>" in html
    assert "spoilers &lt;here&gt;" in html and "<here>" not in html
    assert 'alt="A &#34;quoted&#34; description"' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:description" content="Content warning: film plot">' in html
    assert "cdn.example" not in html.split("</head>")[0]  # sensitive media stays out of previews


def test_media_and_open_graph(client, alice):
    status = statuses.post_status(account=alice, text="look")
    attach_image(status)

    html = page(client.get(f"/@alice/{status.id}"))

    assert f'<meta property="og:url" content="https://wren.test/@alice/{status.id}">' in html
    assert '<meta property="og:image" content="https://cdn.example/wren.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    uri = f"https://wren.test/users/alice/statuses/{status.id}"
    assert f'<link rel="alternate" type="application/activity+json" href="{uri}">' in html


def test_plain_text_description_and_boost_redirect(client, alice, bob):
    status = statuses.post_status(account=alice, text="birds & <bees> #nature")
    boost = interactions.reblog(status=status, by=bob)

    html = page(client.get(f"/@alice/{status.id}"))
    assert '<meta property="og:description" content="birds &amp; &lt;bees&gt; #nature">' in html

    r = client.get(f"/@bob/{boost.id}")
    assert r.status_code == 302 and r.headers["Location"] == f"/@alice/{status.id}"


def test_remote_status_page(client, remote_dave):
    status = remote_status(remote_dave, "<p>remote words</p>")

    r = client.get(f"/@dave@remote.example/{status.id}")

    assert r.status_code == 200 and "remote words" in page(r)


def test_htmx_request_gets_only_the_thread(client, alice):
    status = statuses.post_status(account=alice, text="just this")

    r = client.get(f"/@alice/{status.id}", headers={"HX-Request": "true"})

    html = page(r)
    assert "just this" in html and "<html" not in html and "<head>" not in html
    assert "HX-Request" in r.headers["Vary"]
