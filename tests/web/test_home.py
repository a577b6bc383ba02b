"""The landing page and /health."""

from __future__ import annotations

from fedi.services import statuses


def test_home_page_shows_the_instance_and_recent_public_posts(client, alice):
    statuses.post_status(account=alice, text="<b>public</b> hello")
    statuses.post_status(account=alice, text="secret", visibility_="private")

    r = client.get("/")

    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "<h1>Wren</h1>" in html
    assert "wren.test" in html
    assert "&lt;b&gt;public&lt;/b&gt; hello" in html  # escaped, never raw
    assert "secret" not in html


def test_unknown_page_is_a_friendly_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Not found" in r.get_data(as_text=True)


def test_health_reports_database_and_queue(client, app):
    r = client.get("/health")
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "ok"
    assert body["database"]["ok"] is True and body["queue"]["ok"] is True
    assert r.headers["Cache-Control"] == "no-store"
    assert body["embedded"] == (not app.config["FEDI"].REDIS_URL)
    if app.config["FEDI"].REDIS_URL:
        assert body["redis"]["ok"] is True
