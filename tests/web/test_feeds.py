"""RSS 2.0 feeds of public posts for profiles and hashtags."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fedi.services import statuses


def _channel(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    return channel


def test_profile_feed_has_public_posts_only(client, alice, bob):
    parent = statuses.post_status(account=bob, text="question")
    public = statuses.post_status(account=alice, text="hello <world> & friends")
    statuses.post_status(account=alice, text="followers only", visibility_="private")
    statuses.post_status(account=alice, text="quietly", visibility_="unlisted")
    statuses.post_status(account=alice, text="a reply", in_reply_to=parent)

    channel = _channel(client.get("/@alice.rss"))

    items = channel.findall("item")
    assert len(items) == 1
    item = items[0]
    assert item.findtext("link") == f"https://wren.test/@alice/{public.id}"
    assert item.findtext("guid") == f"https://wren.test/@alice/{public.id}"
    assert "hello &lt;world&gt; &amp; friends" in item.findtext("description")
    assert item.findtext("pubDate").endswith("GMT")
    assert channel.findtext("link") == "https://wren.test/@alice"


def test_display_name_is_escaped_in_the_feed(client):
    from tests.helpers import make_local

    make_local("mallory", display_name="<script>&")
    raw = client.get("/@mallory.rss").get_data(as_text=True)

    assert "<script>" not in raw
    assert _channel(client.get("/@mallory.rss")).findtext("title").startswith("<script>&")


def test_tag_feed(client, alice):
    statuses.post_status(account=alice, text="#birds are great", spoiler_text="birds")
    statuses.post_status(account=alice, text="#birds secret", visibility_="private")

    channel = _channel(client.get("/tags/birds.rss"))

    items = channel.findall("item")
    assert len(items) == 1 and items[0].findtext("title") == "birds"
    assert channel.findtext("title") == "#birds"


def test_unknown_feeds_are_404(client, remote_dave):
    assert client.get("/@nobody.rss").status_code == 404
    assert client.get("/tags/nothing.rss").status_code == 404
    assert client.get("/@dave@remote.example.rss").status_code == 404
