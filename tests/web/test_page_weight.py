"""The HTML budget of issue 4: a timeline page of 20 posts is under 20 KB of HTML, uncompressed,
with every card still a real form (CSRF token, no-JS) and the page still accessible. The posts
are realistic (tests/web/realistic.py): content warnings, mentions, links, hashtags, replies,
media with alt text, boosts of local and remote posts, and the reader's own flags."""

from __future__ import annotations

import re

from tests.web.a11y import assert_accessible
from tests.web.realistic import POSTS, seed_home
from tests.web.signed_in import HTMX, signed_in

BUDGET = 20 * 1024


def test_a_home_page_of_20_realistic_posts_is_under_20_kb(app):
    seed_home()
    browser = signed_in(app, "reader")

    r = browser.get("/home")
    html = r.get_data(as_text=True)
    body = r.get_data()

    cards = re.findall(r'<article id="status-(\d+)"', html)
    assert len(cards) == POSTS
    # Every card's buttons submit the page's one action form, which carries the CSRF token.
    assert re.search(
        r"<form id=f method=post action=/statuses hidden>"
        r'<input type="hidden" name="csrf_token" value="[\w-]+"></form>',
        html,
    )
    faves = re.findall(r"<button form=f name=(?:un)?favourite value=(\d+)>", html)
    assert faves == cards
    for part in ("<details><summary>Book spoilers</summary>", "boosted</p>", "In reply to",
                 'class="u-url mention"', 'alt="A grey heron', '>Unfavourite<'):  # fmt: skip
        assert part in html, part
    assert_accessible(html)
    assert len(body) < BUDGET, f"/home is {len(body)} bytes of HTML (budget {BUDGET})"


def test_the_load_more_fragment_is_under_20_kb(app):
    seed_home()
    browser = signed_in(app, "reader")
    r = browser.get(f"/home?max_id={2**63 - 1}", headers=HTMX)
    assert r.status_code == 200 and r.get_data(as_text=True).count("<article") == POSTS
    assert "<html" not in r.get_data(as_text=True)
    assert len(r.get_data()) < BUDGET
