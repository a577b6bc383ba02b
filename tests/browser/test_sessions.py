"""Sessions in real Chromium: two browsers of one person; the settings page lists both, revoking
the other signs it out and closes its live timeline at once; a password change (with JavaScript
off, plain forms) does the same for every browser but the one that changed it."""

from __future__ import annotations

from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.browser.test_flows import sign_up, unique
from tests.web.a11y import assert_accessible

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
LIVE = "() => document.documentElement.dataset.live === '{}'"


def phone_showing_home(new_context, username: str):
    page = new_context(user_agent=PHONE).new_page()
    sign_in(page, username)
    page.goto("/home")
    page.wait_for_function(LIVE.format("open"))
    return page


def assert_signed_out(page) -> None:
    page.goto("/settings/profile")
    assert "/auth/sign_in" in page.url


def test_revoking_the_other_browser_signs_it_out_and_closes_its_live_timeline(new_context):
    name = unique("sessions")
    laptop = new_context().new_page()
    sign_up(laptop, name)
    phone = phone_showing_home(new_context, name)

    laptop.goto("/settings/sessions")
    assert_accessible(laptop.content())
    browsers = laptop.locator("ul.sessions > li")
    assert browsers.count() == 2
    assert "(this browser)" in browsers.filter(has_text="Chrome on Linux").inner_text()
    other = browsers.filter(has_text="Safari on iOS")
    screenshot(laptop, "settings-sessions")

    with laptop.expect_navigation():
        other.get_by_role("button", name="Revoke Safari on iOS", exact=False).click()

    assert laptop.url.endswith("/settings/sessions") and browsers.count() == 1
    phone.wait_for_function(LIVE.format("closed"), timeout=5_000)  # closed by the server
    assert_signed_out(phone)
    laptop.goto("/home")
    assert laptop.url.endswith("/home")


def test_password_change_without_javascript_ends_the_other_browsers(new_context):
    name = unique("password")
    laptop = new_context(java_script_enabled=False).new_page()
    sign_up(laptop, name)
    phone = phone_showing_home(new_context, name)

    laptop.goto("/settings/password")
    laptop.fill("#current_password", PASSWORD)
    laptop.fill("#password", "a brand new password")
    with laptop.expect_navigation():
        laptop.click("form[action='/settings/password'] button[type=submit]")

    assert laptop.url.endswith("/settings/password?saved=1")
    phone.wait_for_function(LIVE.format("closed"), timeout=5_000)
    assert_signed_out(phone)
    laptop.goto("/settings/sessions")
    assert laptop.locator("ul.sessions > li").count() == 1
