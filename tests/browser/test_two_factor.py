"""Two-factor sign-in in Chromium: set it up from the settings page (QR code and key), keep the
recovery codes, then sign in with a code, with and without JavaScript."""

from __future__ import annotations

import time

import pyotp

from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.browser.test_flows import sign_up, signed_in_as, unique


def test_set_up_two_factor_then_sign_in_with_a_code(new_context):
    name = unique("tfa")
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_up(page, name)
    page.goto("/settings/two_factor")
    with page.expect_navigation():
        page.get_by_role("button", name="Set up two-factor authentication").click()

    qr = page.locator("img.qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the SVG draws
    secret = page.locator("code.otp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now())
    page.fill("#current_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "two-factor-recovery-codes")

    for javascript in (True, False):
        other = new_context(java_script_enabled=javascript).new_page()
        sign_in(other, name)
        assert other.url.endswith("/auth/two_factor") and signed_in_as(other) is None
        # The next time step's code: the one above was used (each works once).
        code = totp.at(time.time() + 30) if javascript else codes[0]
        other.fill("#code", code)
        with other.expect_navigation():
            other.get_by_role("button", name="Sign in").click()
        assert signed_in_as(other) == name, other.url
