"""The admin area in real Chromium, without JavaScript (plain forms) and with it: a moderator
finds an account, suspends it with a message, sees the suspension on its page and in the audit
log, and lifts it; an admin blocks a domain, finds it on the about page, and reaches the
dashboard, rules and announcements from the admin navigation."""

from __future__ import annotations

from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.browser.test_flows import sign_up, unique
from tests.processes import FEDI, run


def _staff(instance, role: str) -> str:
    name = unique(role[:4])
    made = run([*FEDI, "create-user", name, "--email", f"{name}@example.com",
                "--password", PASSWORD, f"--{role}"], instance.env)  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    return name


def test_a_moderator_suspends_and_restores_an_account_without_javascript(new_context, instance):
    target = unique("spammer")
    sign_up(new_context().new_page(), target)
    moderator = _staff(instance, "moderator")

    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, moderator)
    page.goto("/admin/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("svg.chart").count() == 7
    nav = page.get_by_role("navigation", name="Administration")
    assert nav.get_by_role("link", name="Server settings").count() == 0  # admins only
    with page.expect_navigation():
        nav.get_by_role("link", name="Accounts").click()
    page.fill("input[name=username]", target)
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_role("link", name=f"@{target}").first.click()
    assert page.locator("h1").inner_text() == f"@{target}"
    page.check("#type-suspend")
    page.fill("#warning-text", "Spam, repeatedly")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert page.get_by_role("status").first.inner_text() == "Account suspended."
    screenshot(page, "admin-account-suspended")
    page.goto("/admin/audit_log?action=suspend")
    assert f"@{target}" in page.locator("table.audit-log").inner_text()
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("button", name="Lift the suspension").click()
    assert page.get_by_role("status").first.inner_text() == "Suspension lifted."


def test_an_admin_blocks_a_domain_with_javascript(new_context, instance):
    admin = _staff(instance, "admin")
    page = new_context().new_page()
    sign_in(page, admin)
    page.goto("/admin/")
    nav = page.get_by_role("navigation", name="Administration")
    for section in ("Reports", "Accounts", "Trends", "Federation", "Rules", "Announcements",
                    "Custom emoji", "Server settings", "Audit log"):  # fmt: skip
        assert nav.get_by_role("link", name=section).count() == 1, section
    with page.expect_navigation():
        nav.get_by_role("link", name="Federation").click()
    domain = f"{unique('bad')}.example"
    page.fill("#new-domain", domain)
    page.select_option("#new-severity", "suspend")
    page.fill("#new-public-comment", "Harassment")
    with page.expect_navigation():
        page.get_by_role("button", name="Block", exact=True).click()
    assert page.get_by_role("row", name=domain).count() == 1
    screenshot(page, "admin-domain-blocked")
    page.goto("/about")
    assert domain in page.content() and "Harassment" in page.content()
