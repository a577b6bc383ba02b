"""Filters in real Chromium, without JavaScript and with it: a reader makes a filter for a word
from the settings pages, a matching post on the local timeline shows behind "Filtered: <title>"
and opens on a click, and a hiding filter leaves it out altogether."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_flows import card, post_with_htmx, sign_up, unique


def _make_filter(page, title: str, keyword: str, action: str) -> None:
    page.goto("/settings/filters")
    with page.expect_navigation():
        page.get_by_role("link", name="New filter").click()
    page.fill("#title", title)
    page.check("#context_public")
    page.check(f"#action_{action}")
    page.fill("#keyword_0", keyword)
    with page.expect_navigation():
        page.get_by_role("button", name="Save filter").click()
    assert title in page.content()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_a_word_filter_warns_then_hides(new_context, javascript):
    author, reader = unique("talker"), unique("reader")
    writer = new_context().new_page()
    sign_up(writer, author)
    word = unique("spoilers")
    text = f"Big {word} ahead"
    post_with_htmx(writer, text)

    page = new_context(java_script_enabled=javascript).new_page()
    sign_up(page, reader)
    _make_filter(page, "No spoilers", word, "warn")
    page.goto("/local")
    warned = page.locator("details.filtered", has_text="Filtered: No spoilers")
    assert warned.count() == 1
    assert not card(page, text).is_visible()  # folded away until asked
    warned.locator("summary").click()
    assert card(page, text).is_visible()
    screenshot(page, f"filter-warned-{'js' if javascript else 'nojs'}")

    _make_filter(page, "Really none", word, "hide")
    page.goto("/local")
    assert page.locator("article[id^=status-]", has_text=text).count() == 0
