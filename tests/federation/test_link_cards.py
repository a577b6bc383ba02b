# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Preview cards end to end: posts with links get their card from a real HTTP server on
127.0.0.1 (OpenGraph, <title>, oEmbed, a picture), fetched by the real task through the guarded
client; what is refused (private addresses, not HTML, scripts in oEmbed) gives no card."""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import AuditLogEntry, PreviewCard, PreviewCardStatus, Role, utcnow
from fedi.services import follows, preview_cards, status_edits, statuses
from fedi.ttl_cache import TTLCache
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, count_queries, make_local, token_for
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, page, signed_in

Route = Callable[[BaseHTTPRequestHandler], None]
HOST = "cards.test"  # the test site's name: posts link names, not addresses (see `site`)


class Site:
    """A tiny web site: `routes[path]` answers GETs; the paths asked are recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.asked: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                site.asked.append(self.path)
                site.routes.get(self.path.split("?")[0], answer(404, b"", "text/plain"))(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(status: int, body: bytes, content_type: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the reader's cap
            handler.wfile.write(body)

    return route


def html(text: str) -> Route:
    return answer(200, text.encode(), "text/html; charset=utf-8")


def jpeg_with_gps(width: int = 1200, height: int = 800) -> bytes:
    image = Image.new("RGB", (width, height), (30, 120, 200))
    for x in range(0, width, 50):
        for y in range(height):
            image.putpixel((x, y), (250, 200, 20))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo: a location
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The site, and its name in the resolver (the outside world's DNS): 127.0.0.1."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return real("127.0.0.1" if host == HOST else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    server = Site()
    yield server
    server.close()


@pytest.fixture
def loopback(app: Flask) -> Iterator[None]:
    """The guard lets the test site's address through (it refuses it otherwise)."""
    settings = app.config["FEDI"]
    saved = list(settings.ALLOWED_PRIVATE_ADDRESSES)
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    yield
    settings.ALLOWED_PRIVATE_ADDRESSES = saved


ARTICLE = """<!doctype html><html lang="en-GB"><head>
<meta charset="utf-8"><title>Fallback title</title>
<meta property="og:title" content="Herons of the Thames">
<meta property="og:description" content="A field guide &amp; a walk along the river.">
<meta property="og:site_name" content="Birds Weekly">
<meta property="og:image" content="/heron.jpg">
<meta property="og:image:alt" content="A grey heron standing in reeds">
<meta property="article:published_time" content="2026-11-30T08:00:00Z">
<meta name="author" content="Ada Birder">
</head><body><p>Hello</p></body></html>"""


def card_of(status_id: int) -> PreviewCard | None:
    db.session.expire_all()
    link = db.session.get(PreviewCardStatus, status_id)
    return db.session.get(PreviewCard, link.preview_card_id) if link else None


def test_a_local_post_with_a_link_gets_its_card(client, alice, site, loopback):
    site.routes["/article"] = html(ARTICLE)
    site.routes["/heron.jpg"] = answer(200, jpeg_with_gps(), "image/jpeg")
    token = token_for(alice)

    posted = client.post(
        "/api/v1/statuses",
        json={"status": f"Read this {site.url('/article')} #birds"},
        headers=bearer(token),
    )
    assert posted.status_code == 200, posted.json

    got = client.get(f"/api/v1/statuses/{posted.json['id']}", headers=bearer(token)).json
    card = got["card"]
    assert card["url"] == site.url("/article")
    assert card["title"] == "Herons of the Thames"
    assert card["description"] == "A field guide & a walk along the river."
    assert card["type"] == "link"
    assert card["provider_name"] == "Birds Weekly"
    assert card["author_name"] == "Ada Birder"
    assert card["authors"] == [{"name": "Ada Birder", "url": "", "account": None}]
    assert card["image_description"] == "A grey heron standing in reeds"
    assert card["language"] == "en"
    assert card["published_at"] == "2026-11-30T08:00:00.000Z"
    assert card["html"] == "" and card["embed_url"] == ""
    assert card["blurhash"] and len(card["blurhash"]) >= 20
    # The picture is ours: served from our media URL, re-encoded within 640x360 pixels.
    assert card["image"].startswith("https://wren.test/media/preview_cards/")
    assert card["width"] * card["height"] <= 230_400 and card["width"] > card["height"]
    stored = client.get(card["image"].removeprefix("https://wren.test"))
    assert stored.status_code == 200
    picture = Image.open(io.BytesIO(stored.data))
    assert picture.size == (card["width"], card["height"])
    assert not picture.getexif(), "the picture's metadata (GPS) is gone"
    # the page, then its picture, each fetched once
    assert site.asked == ["/article", "/heron.jpg"]

    # Another post of the same link shares the cached card: nothing fetched again.
    other = statuses.post_status(account=alice, text=f"again {site.url('/article')}")
    assert card_of(other.id).title == "Herons of the Thames"
    assert site.asked == ["/article", "/heron.jpg"]
    assert db.session.scalar(select(func.count()).select_from(PreviewCard)) == 1


def test_a_page_without_opengraph_uses_its_title_and_description(alice, site, loopback):
    site.routes["/plain"] = html(
        "<html><head><title>  Just a\n page </title>"
        '<meta name="description" content="Plain words."></head><body>x</body></html>'
    )
    status = statuses.post_status(account=alice, text=f"see {site.url('/plain')}")
    card = card_of(status.id)
    assert (card.title, card.description, card.image_path) == ("Just a page", "Plain words.", None)


def test_mentions_hashtags_and_our_own_links_are_not_previewed(alice, bob, site, loopback):
    site.routes["/second"] = html("<title>Second</title>")
    text = f"@bob #tag https://wren.test/@alice/1 {site.url('/second')}"
    status = statuses.post_status(account=alice, text=text)
    assert card_of(status.id).title == "Second"
    assert site.asked == ["/second"]


def test_oembed_rich_html_with_a_script_is_dropped(alice, site, loopback):
    site.routes["/video"] = html(
        "<html><head><title>Video page</title>"
        f'<link rel="alternate" type="application/json+oembed" href="{site.url("/oembed")}">'
        "</head></html>"
    )
    site.routes["/oembed"] = answer(
        200,
        json.dumps(
            {
                "type": "rich",
                "version": "1.0",
                "title": "A rich thing",
                "provider_name": "Embedder",
                "author_name": "Someone",
                "html": '<script src="https://evil.example/x.js"></script><div>hi</div>',
            }
        ).encode(),
        "application/json",
    )
    status = statuses.post_status(account=alice, text=f"{site.url('/video')}")
    card = card_of(status.id)
    assert (card.type.value, card.html, card.title) == ("link", "", "A rich thing")
    assert card.provider_name == "Embedder"


def test_oembed_video_keeps_one_https_iframe_sandboxed(alice, site, loopback):
    site.routes["/video"] = html(
        "<title>Video page</title>"
        f'<link rel="alternate" type="application/json+oembed" href="{site.url("/oembed")}">'
    )
    player = (
        '<iframe width="560" height="315" src="https://player.example/embed/42" '
        'onload="alert(1)" style="x" allowfullscreen></iframe>'
    )
    site.routes["/oembed"] = answer(
        200,
        json.dumps(
            {"type": "video", "title": "Clip", "html": player, "width": 560, "height": 315}
        ).encode(),
        "application/json+oembed",
    )
    status = statuses.post_status(account=alice, text=f"{site.url('/video')}")
    card = card_of(status.id)
    assert card.type.value == "video"
    assert card.html == (
        '<iframe src="https://player.example/embed/42" width="560" height="315" allowfullscreen'
        ' sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"></iframe>'
    )
    assert (card.width, card.height) == (560, 315)


def test_a_private_address_is_refused_when_not_allowed(alice, site):
    site.routes["/article"] = html(ARTICLE)
    status = statuses.post_status(account=alice, text=f"{site.url('/article')}")
    assert card_of(status.id) is None
    assert site.asked == []
    row = db.session.scalar(select(PreviewCard).where(PreviewCard.url == site.url("/article")))
    assert row.failed_at is not None and row.failures == preview_cards.MAX_FAILURES


def test_a_huge_page_is_read_only_to_its_cap(alice, site, loopback):
    filler = "<p>" + "x" * 1000 + "</p>"
    page = (
        "<html><head><title>Huge</title></head><body>"
        + filler * 3000  # 3 MB
        + '<meta name="description" content="beyond the cap"></body></html>'
    )
    site.routes["/huge"] = html(page)
    status = statuses.post_status(account=alice, text=f"{site.url('/huge')}")
    card = card_of(status.id)
    assert card.title == "Huge" and card.description == ""


def test_a_link_to_something_else_than_html_gives_no_card(alice, site, loopback):
    site.routes["/file.pdf"] = answer(200, b"%PDF-1.4 ...", "application/pdf")
    site.routes["/gone"] = answer(404, b"<title>Not found</title>", "text/html")
    first = statuses.post_status(account=alice, text=f"{site.url('/file.pdf')}")
    second = statuses.post_status(account=alice, text=f"{site.url('/gone')}")
    assert card_of(first.id) is None and card_of(second.id) is None
    # remembered: another post of the same link asks nothing for two weeks
    statuses.post_status(account=alice, text=f"{site.url('/file.pdf')} again")
    assert site.asked == ["/file.pdf", "/gone"]


def test_a_failing_server_is_retried_a_few_times_then_left(alice, site, loopback, monkeypatch):
    retries = []
    monkeypatch.setattr(
        "fedi.queue.enqueue",
        lambda name, *args, delay=0.0: retries.append((name, args, delay)) if delay else None,
    )
    site.routes["/flaky"] = answer(503, b"busy", "text/html")
    status = statuses.post_status(account=alice, text=f"{site.url('/flaky')}")
    from fedi.tasks.cards import fetch_link_card

    for _ in range(preview_cards.MAX_FAILURES):
        fetch_link_card.call_local(status.id)
    row = db.session.scalar(select(PreviewCard).where(PreviewCard.url == site.url("/flaky")))
    assert row.failures == preview_cards.MAX_FAILURES and row.failed_at <= utcnow()
    assert [delay for _, _, delay in retries] == list(preview_cards.BACKOFF[:2])
    assert len(site.asked) == 3
    fetch_link_card.call_local(status.id)  # given up: not fetched again
    assert len(site.asked) == 3

    # once the server answers, a card after the two weeks
    site.routes["/flaky"] = html("<title>Back</title>")
    row.failed_at = utcnow() - preview_cards.REFRESH
    db.session.commit()
    fetch_link_card.call_local(status.id)
    assert card_of(status.id).title == "Back"


def test_an_edit_that_changes_the_link_changes_the_card(alice, site, loopback):
    site.routes["/one"] = html("<title>One</title>")
    site.routes["/two"] = html("<title>Two</title>")
    status = statuses.post_status(account=alice, text=f"{site.url('/one')}")
    assert card_of(status.id).title == "One"
    status_edits.edit_status(status=status, by=alice, text=f"now {site.url('/two')}")
    assert card_of(status.id).title == "Two"
    status_edits.edit_status(status=status, by=alice, text="no link any more")
    assert card_of(status.id) is None


def test_a_remote_posts_link_gets_a_card(client, alice, remote_dave, rita, site, loopback):
    site.routes["/article"] = html(ARTICLE)
    site.routes["/heron.jpg"] = answer(200, jpeg_with_gps(400, 300), "image/jpeg")
    remote = resolve.resolve_account(rita.uri)
    request = follows.follow(account=alice, target=remote)
    accept = rita.activity(
        "Accept", {"id": request.uri, "type": "Follow", "actor": alice.uri, "object": rita.uri}
    )
    assert rita.post(client, "/users/alice/inbox", accept).status_code == 202
    content = (
        f'<p><span class="h-card"><a href="{alice.url}" class="u-url mention">@alice</a></span> '
        f'<a href="{remote_dave.url}">dave</a> '  # a mention without microformats: its href
        f'<a href="https://elsewhere.example/tags/x" rel="tag">#x</a> '  # a hashtag, by its text
        f'look: <a href="{site.url("/article")}">the article</a></p>'
    )
    note = rita.note(
        content,
        tag=[
            {"type": "Mention", "href": alice.uri, "name": "@alice"},
            {"type": "Mention", "href": remote_dave.uri, "name": "@dave@remote.example"},
        ],
    )
    assert rita.post(client, "/inbox", rita.activity("Create", note)).status_code == 202

    home = client.get("/api/v1/timelines/home", headers=bearer(token_for(alice))).json
    (status,) = home
    assert status["card"]["title"] == "Herons of the Thames"
    assert status["card"]["image"].startswith("https://wren.test/media/preview_cards/")
    assert (status["card"]["width"], status["card"]["height"]) == (400, 300)
    assert site.asked == ["/article", "/heron.jpg"]


def test_the_web_ui_shows_the_card_as_a_plain_link(app, alice, site, loopback):
    site.routes["/article"] = html(ARTICLE)
    site.routes["/heron.jpg"] = answer(200, jpeg_with_gps(), "image/jpeg")
    site.routes["/video"] = html(
        "<title>Video page</title>"
        f'<link rel="alternate" type="application/json+oembed" href="{site.url("/oembed")}">'
    )
    player = '<iframe src="https://player.example/embed/42"></iframe>'
    site.routes["/oembed"] = answer(
        200,
        json.dumps(
            {"type": "video", "title": "Clip", "html": player, "thumbnail_url": "/heron.jpg"}
        ).encode(),
        "application/json",
    )
    statuses.post_status(account=alice, text=f"a read {site.url('/article')}")
    statuses.post_status(account=alice, text=f"a clip {site.url('/video')}")
    browser = signed_in(app, "alice")
    home = browser.get("/home").get_data(as_text=True)

    article = re.search(r'<a class=link-card href="([^"]+/article)"[^>]*>(.*?)</a>', home)
    assert article, home
    assert '<img src="/media/preview_cards/' in article.group(2)
    assert 'alt="A grey heron standing in reeds"' in article.group(2)
    assert "<small>Birds Weekly</small><strong>Herons of the Thames</strong>" in article.group(2)
    assert "A field guide &amp; a walk along the river." in article.group(2)
    clip = re.search(r'<a class=link-card href="[^"]+/video"[^>]*>(.*?)</a>', home)
    assert clip and "<strong>Clip</strong>" in clip.group(1) and "<img" in clip.group(1)
    assert "<iframe" not in home and "player.example" not in home
    assert_accessible(home)


def test_a_page_of_posts_with_cards_loads_them_in_one_query(client, alice, bob, site, loopback):
    follows.follow(account=bob, target=alice)
    token = token_for(bob, "read")

    def post(first: int, last: int) -> None:
        for i in range(first, last):
            site.routes[f"/page/{i}"] = html(f"<title>Page {i}</title>")
            statuses.post_status(account=alice, text=f"number {i}: {site.url(f'/page/{i}')}")

    def queries(path: str, **headers: str) -> int:
        client.get(path, headers=headers)
        TTLCache.clear_all()
        with count_queries() as seen:
            r = client.get(path, headers=headers)
        assert r.status_code == 200
        return len(seen)

    post(0, 3)
    small = queries("/api/v1/timelines/home?limit=40", **bearer(token))
    post(3, 33)
    large = queries("/api/v1/timelines/home?limit=40", **bearer(token))
    body = client.get("/api/v1/timelines/home?limit=40", headers=bearer(token)).json
    assert len(body) == 33 and all(s["card"]["title"].startswith("Page ") for s in body)
    assert small == large

    browser = signed_in(client.application, "bob")
    before = _web_queries(browser)
    post(33, 40)
    after = _web_queries(browser)
    assert before == after
    assert browser.get("/home").get_data(as_text=True).count("class=link-card") == 20


def _web_queries(browser) -> int:
    browser.get("/home")
    TTLCache.clear_all()
    with count_queries() as seen:
        assert browser.get("/home").status_code == 200
    return len(seen)


# -- trending links --------------------------------------------------------------------------


def _links(client, query: str = "") -> list[str]:
    return [link["title"] for link in client.get(f"/api/v1/trends/links{query}").json]


def test_links_trend_by_distinct_accounts_and_moderators_review_them(
    app, client, alice, bob, carol, site, loopback
):
    mod = make_local("moddy", role=Role.MODERATOR)
    for name in ("a", "b", "c"):
        site.routes[f"/{name}"] = html(f"<title>Page {name.upper()}</title>")
    for author in (alice, bob, carol):
        statuses.post_status(account=author, text=f"{site.url('/a')}")
    for i in range(4):  # one account, many posts: not a trend
        statuses.post_status(account=alice, text=f"{i} {site.url('/b')}")
    statuses.post_status(account=alice, text=f"{site.url('/c')}")
    statuses.post_status(account=bob, text=f"me too {site.url('/c')}")
    statuses.post_status(account=carol, text=f"{site.url('/c')}", visibility_="unlisted")
    statuses.post_status(account=carol, text=f"{site.url('/b')}", visibility_="private")

    body = client.get("/api/v1/trends/links").json
    assert [link["title"] for link in body] == ["Page A", "Page C"]
    assert body[0]["history"][0] == {**body[0]["history"][0], "uses": "3", "accounts": "3"}
    assert body[1]["history"][0] == {**body[1]["history"][0], "uses": "2", "accounts": "2"}
    assert len(body[0]["history"]) == 7 and body[0]["url"] == site.url("/a")
    first = client.get("/api/v1/trends/links?limit=1")
    assert [link["title"] for link in first.json] == ["Page A"]
    assert 'rel="next"' in first.headers["Link"] and "offset=1" in first.headers["Link"]
    assert _links(client, "?limit=1&offset=1") == ["Page C"]

    read, write = token_for(mod, "admin:read"), token_for(mod, "admin:write")
    listed = client.get("/api/v1/admin/trends/links", headers=bearer(read)).json
    assert [(link["title"], link["requires_review"]) for link in listed] == [
        ("Page A", True),
        ("Page C", True),
    ]
    card_a = listed[0]["id"]
    r = client.post(f"/api/v1/admin/trends/links/{card_a}/reject", headers=bearer(write))
    assert r.status_code == 200 and r.json["requires_review"] is False
    assert _links(client) == ["Page C"]
    still = client.get("/api/v1/admin/trends/links", headers=bearer(read)).json
    assert [link["title"] for link in still] == ["Page A", "Page C"]  # reviewers still see it
    assert client.post("/api/v1/admin/trends/links/1/approve", headers=bearer(write)).json == {
        "error": "Record not found"
    }
    user = token_for(alice, "admin:write")
    forbidden = client.post(f"/api/v1/admin/trends/links/{card_a}/approve", headers=bearer(user))
    assert forbidden.status_code == 403
    actions = {(e.action, e.target_type) for e in db.session.query(AuditLogEntry)}
    assert actions == {("reject", "PreviewCard")}

    # With review required, only approved links trend: approved on the admin page.
    app.config["FEDI"].TRENDS_NEED_REVIEW = True
    try:
        assert _links(client) == []
        browser = signed_in(app, "moddy")
        admin_page = page(browser, "/admin/trends/")
        assert '<h2 id="links">Links</h2>' in admin_page and "Page C" in admin_page
        assert "Links do not trend yet" not in admin_page
        card_c = listed[1]["id"]
        approved = form_post(browser, f"/admin/trends/links/{card_c}/approve")
        assert approved.status_code == 303 and approved.headers["Location"].endswith("#links")
        assert _links(client) == ["Page C"]
        assert "Approved" in page(browser, "/admin/trends/")
    finally:
        app.config["FEDI"].TRENDS_NEED_REVIEW = False
