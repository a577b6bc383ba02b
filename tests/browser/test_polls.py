"""A poll in real Chromium: posted from the compose page's poll fields, voted on from a card by
another account with htmx (the card swapped in place, no page load), the results shown."""

from __future__ import annotations

from tests.browser.test_flows import card, navigations, sign_up, unique


def test_a_poll_posted_and_voted_on(new_context):
    author, voter = unique("pollster"), unique("voter")
    page = new_context().new_page()
    sign_up(page, author)
    page.goto("/compose")
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#compose-text", "Which season?")
    options = page.locator("input[name=poll_options]")
    options.nth(0).fill("spring")
    options.nth(1).fill("autumn")
    page.click("#compose button[type=submit]")
    page.wait_for_selector("#timeline article:has-text('Which season?')")

    other = new_context().new_page()
    sign_up(other, voter)
    other.goto("/local")
    other.wait_for_function("() => window.htmx !== undefined")
    poll = card(other, "Which season?")
    poll.locator("label", has_text="autumn").locator("input").check()
    poll.get_by_role("button", name="Vote").click()
    other.wait_for_selector("article:has-text('Which season?') >> text=(your choice)")
    assert "100%" in card(other, "Which season?").inner_text()
    assert navigations(other) == 1  # swapped in place
