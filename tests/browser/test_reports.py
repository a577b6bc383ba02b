"""Reporting in real Chromium: a reader sees a post on the local timeline, opens it, reports it
(spam, the post pre-checked, a comment) and gets the thank-you page; a moderator (made with the
CLI) finds the report in the queue, opens it and resolves it."""

from __future__ import annotations

from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.browser.test_flows import card, post_with_htmx, sign_up, unique
from tests.processes import FEDI, run


def test_report_a_post_from_the_timeline_and_a_moderator_resolves_it(new_context, instance):
    author, reader, moderator = unique("spammy"), unique("reader"), unique("mod")
    made = run([*FEDI, "create-user", moderator, "--email", f"{moderator}@example.com",
                "--password", PASSWORD, "--moderator"], instance.env)  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr

    writer = new_context().new_page()
    sign_up(writer, author)
    text = f"Cheap pills {author}"
    post_with_htmx(writer, text)

    page = new_context().new_page()
    sign_up(page, reader)
    page.goto("/local")
    with page.expect_navigation():
        card(page, text).locator("header a").last.click()  # the post's time: its own page
    with page.expect_navigation():
        page.get_by_role("link", name="Report", exact=True).click()
    assert page.locator("h1").inner_text() == f"Report @{author}"
    assert page.locator("input[name=status_ids]:checked").count() == 1
    page.check("#category-spam")
    page.fill("#report-comment", "Selling pills to everyone")
    with page.expect_navigation():
        page.get_by_role("button", name="Send report").click()
    assert page.locator("h1").inner_text() == "Thanks for reporting"
    screenshot(page, "report-sent")

    staff = new_context().new_page()
    sign_in(staff, moderator)
    staff.goto("/admin/reports")
    row = staff.locator("table.reports tr", has_text=f"@{author}")
    with staff.expect_navigation():
        row.get_by_role("link").click()
    assert "Selling pills to everyone" in staff.locator(".report-comment").inner_text()
    assert text in staff.locator(".reported-posts").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Resolve", exact=True).click()
    assert staff.get_by_role("status").first.inner_text() == "The report is resolved."
    screenshot(staff, "report-resolved")
    staff.goto("/admin/reports")
    assert staff.locator("table.reports tr", has_text=f"@{author}").count() == 0
