"""The installable app in real Chromium: manifest, service worker, installability, the offline
page, the mobile layout, and screenshots of the main pages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, screenshot, sign_in

VISITOR_PAGES = ["/", "/about", "/local", "/@alice", "/auth/sign_in"]
SIGNED_IN_PAGES = ["/home", "/notifications", "/local", "/@alice", "/settings/profile"]


def _wait_for_service_worker(page) -> None:
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || "
        "navigator.serviceWorker.ready.then(() => true)",
        timeout=10_000,
    )
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def test_manifest_is_linked_and_valid(new_context):
    page = new_context().new_page()
    page.goto("/")
    href = page.get_attribute("link[rel=manifest]", "href")
    assert href == "/manifest.webmanifest"
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/home"
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


def test_service_worker_registers_and_the_app_is_installable(new_context):
    context = new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    _wait_for_service_worker(page)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope.endswith("/")

    cdp = context.new_cdp_session(page)
    page.reload()
    page.wait_for_load_state("networkidle")
    result = cdp.send("Page.getInstallabilityErrors")
    # A Playwright context is an incognito-like profile; Chromium names that, nothing else.
    remaining = [e for e in result["installabilityErrors"] if e["errorId"] != "in-incognito"]
    assert remaining == [], result
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_offline_page_shows_when_the_network_is_cut(new_context):
    context = new_context()
    page = context.new_page()
    page.goto("/")
    _wait_for_service_worker(page)
    page.reload()  # now controlled by the service worker

    context.set_offline(True)
    page.goto("/about")
    assert page.locator("h1").inner_text() == "You are offline"
    context.set_offline(False)
    page.goto("/about")
    assert page.locator("h1").inner_text() != "You are offline"


def _no_horizontal_scroll(page, path: str) -> None:
    page.goto(path)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= MOBILE["width"], f"{path} scrolls sideways ({width} px)"


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_mobile_layout_for_visitors(new_context, path):
    page = new_context(viewport=MOBILE).new_page()
    _no_horizontal_scroll(page, path)


def test_mobile_layout_signed_in(new_context):
    page = new_context(viewport=MOBILE).new_page()
    sign_in(page, "alice")
    for path in SIGNED_IN_PAGES:
        _no_horizontal_scroll(page, path)


def test_screenshots_of_the_main_pages(new_context):
    for label, viewport in (("mobile", MOBILE), ("desktop", DESKTOP)):
        page = new_context(viewport=viewport).new_page()
        for path in VISITOR_PAGES:
            page.goto(path)
            screenshot(page, f"{label}-visitor-{_slug(path)}")
        sign_in(page, "alice")
        for path in SIGNED_IN_PAGES:
            page.goto(path)
            screenshot(page, f"{label}-{_slug(path)}")


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("@", "at-") or "landing"
