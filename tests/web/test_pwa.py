"""The installable app over HTTP: manifest, service worker, offline page, security headers, and
the web UI's push subscriptions."""

from __future__ import annotations

import re

from PIL import Image

from fedi.config import ROOT
from fedi.extensions import db
from fedi.models import PushSubscription
from fedi.web import pwa, security
from tests.oauth_flow import csrf, sign_in

KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjha"
    "zAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


def test_manifest_is_linked_and_complete(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color"' in page

    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    manifest = r.get_json()
    assert manifest["start_url"] == "/home" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["name"] == "Wren"
    assert manifest["theme_color"] and manifest["background_color"]
    purposes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
            ("512x512", "maskable")} <= purposes  # fmt: skip
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
        with Image.open(ROOT / icon["src"].lstrip("/")) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_maskable_icons_keep_the_artwork_in_the_safe_zone():
    for size in pwa.ICON_SIZES:
        with Image.open(ROOT / f"static/icons/maskable-{size}.png") as image:
            rgb = image.convert("RGB")
            background = rgb.getpixel((0, 0))
            radius = 0.4 * size
            for x in range(0, size, 4):
                for y in range(0, size, 4):
                    outside = (x - size / 2) ** 2 + (y - size / 2) ** 2 > radius**2
                    if outside:  # everything beyond the safe circle is plain background
                        assert rgb.getpixel((x, y)) == background, (size, x, y)


def test_service_worker_is_served_from_the_root(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/"
    body = r.get_data(as_text=True)
    assert '"/offline"' in body and "/api/" in body
    for asset in re.findall(r'"(/static/[^"]+)"', body):
        assert client.get(asset).status_code == 200, asset


def test_offline_page(client):
    r = client.get("/offline")
    assert r.status_code == 200 and "You are offline" in r.get_data(as_text=True)


def test_security_headers_on_html(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r.headers["Permissions-Policy"]
    page = r.get_data(as_text=True)
    assert "includeIndicatorStyles" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    assert client.get("/api/v1/instance").headers["X-Content-Type-Options"] == "nosniff"


def test_authorize_page_may_submit_towards_the_app_redirect():
    assert security.redirect_source("https://app.example/cb?x=1") == "https://app.example"
    assert security.redirect_source("http://127.0.0.1:8080/cb") == "http://127.0.0.1:8080"
    assert security.redirect_source("com.example.app://oauth") == "com.example.app:"
    assert security.redirect_source("urn:ietf:wg:oauth:2.0:oob") == "urn:"
    assert security.redirect_source("javascript:alert(1)") is None
    assert security.redirect_source("https://a b;script-src *") is None
    assert "form-action 'self' https://app.example;" in security.policy("https://app.example")


def test_web_push_subscription_needs_session_and_csrf(client, alice):
    body = {"endpoint": "https://push.example/web/1", "keys": KEYS}
    assert client.post("/web/push/subscribe", json=body).status_code == 403  # no CSRF token

    sign_in(client, "alice")
    token = csrf(client, "/")
    assert client.post("/web/push/subscribe", json=body).status_code == 403
    r = client.post("/web/push/subscribe", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    row = db.session.query(PushSubscription).one()
    assert row.account_id == alice.id and row.token_id is None
    assert row.alerts["mention"] and row.alerts["follow"] and row.alerts["favourite"]
    assert row.alerts["reblog"]

    assert client.get("/web/push/key").get_json()["public_key"]
    r = client.post("/web/push/unsubscribe", json={"endpoint": body["endpoint"]},
                    headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 200 and db.session.query(PushSubscription).count() == 0


def test_signed_in_pages_carry_the_csrf_meta_for_scripts(client, alice):
    assert 'name="csrf-token"' not in client.get("/").get_data(as_text=True)
    sign_in(client, "alice")
    page = client.get("/").get_data(as_text=True)
    assert 'name="wren-signed-in" content="true"' in page and 'name="csrf-token"' in page


def test_authorize_page_csp_allows_the_redirect_origin(client, alice):
    app = client.post(
        "/api/v1/apps",
        json={"client_name": "App", "redirect_uris": "https://app.example/cb", "scopes": "read"},
    ).get_json()
    sign_in(client, "alice")
    query = f"response_type=code&client_id={app['client_id']}&redirect_uri=https://app.example/cb"

    r = client.get(f"/oauth/authorize?{query}&scope=read")

    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    assert "form-action 'self' https://app.example;" in csp
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]
