"""Scheduled posts and the profile directory in real Chromium.

Without JavaScript a post is scheduled from the compose page's "Schedule (UTC, optional)" field
(a plain form post redirected to /scheduled), listed there with its time, kept off the home
timeline, then deleted from /scheduled. With JavaScript the same form posts through htmx, whose
HX-Redirect lands on /scheduled, and the delete button removes the entry in place. The directory
lists a user who has posted, and its order and origin tabs are plain links, with or without
JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_flows import navigations, sign_up, unique


def _two_days_ahead() -> datetime:
    return (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)


def _schedule_from_compose(page, text: str, when: datetime) -> None:
    page.goto("/compose")
    page.get_by_label("What's on your mind?").fill(text)
    page.get_by_label("Schedule (UTC, optional)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation(url=re.compile(r"/scheduled$")):
        page.get_by_role("button", name="Post", exact=True).click()


def _entry(page, text: str):
    return page.locator("#scheduled li.scheduled-post", has_text=text)


def _shown_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M") + " UTC"


def test_schedule_list_and_delete_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    sign_up(page, unique("planner"))
    text = f"Scheduled without JavaScript {unique('s')}"
    when = _two_days_ahead()

    _schedule_from_compose(page, text, when)
    assert page.get_by_role("heading", name="Scheduled posts").is_visible()
    entry = _entry(page, text)
    assert entry.count() == 1
    assert _shown_time(when) in entry.inner_text()
    assert (
        entry.locator("time").get_attribute("datetime").startswith(when.strftime("%Y-%m-%dT%H:%M"))
    )
    screenshot(page, "scheduled-01-nojs-listed")

    # Not posted yet: the home timeline does not have it.
    page.goto("/home")
    assert page.locator("#timeline article", has_text=text).count() == 0

    # The "Scheduled" tab leads back; Delete is a plain form redirected to /scheduled.
    with page.expect_navigation():
        page.get_by_role("navigation", name="Your pages").get_by_role(
            "link", name="Scheduled"
        ).click()
    assert page.url.endswith("/scheduled")
    with page.expect_navigation():
        page.get_by_role(
            "button", name=f"Delete the post scheduled for {_shown_time(when)}"
        ).click()
    assert page.url.endswith("/scheduled")
    assert _entry(page, text).count() == 0
    assert page.get_by_text("Nothing scheduled.").is_visible()
    screenshot(page, "scheduled-02-nojs-deleted")

    page.goto("/home")
    assert page.locator("#timeline article", has_text=text).count() == 0


def test_schedule_and_delete_with_javascript(new_context):
    page = new_context().new_page()
    sign_up(page, unique("planner"))
    text = f"Scheduled with htmx {unique('s')}"
    when = _two_days_ahead() + timedelta(hours=1)

    page.goto("/compose")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_label("What's on your mind?").fill(text)
    page.get_by_label("Schedule (UTC, optional)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation(url=re.compile(r"/scheduled$")):
        page.get_by_role("button", name="Post", exact=True).click()
    entry = _entry(page, text)
    entry.wait_for()
    assert _shown_time(when) in entry.inner_text()
    screenshot(page, "scheduled-03-js-listed")

    # Delete swaps the entry out in place, no page load.
    page.wait_for_function("() => window.htmx !== undefined")
    loads = navigations(page)
    page.get_by_role("button", name=f"Delete the post scheduled for {_shown_time(when)}").click()
    entry.wait_for(state="detached")
    assert navigations(page) == loads
    page.reload()
    assert _entry(page, text).count() == 0

    page.goto("/home")
    assert page.locator("#timeline article", has_text=text).count() == 0


def _who(page, username: str):
    return page.locator("#directory li", has=page.locator(f"a[href$='/@{username}']"))


def _tab(page, tabs: str, name) -> object:
    return page.get_by_role("navigation", name=tabs).get_by_role("link", name=name)


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_directory_lists_a_user_who_posted(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    name = unique("listed")
    sign_up(page, name)
    page.goto("/home")
    page.fill("#compose-text", f"Hello directory {name}")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        page.click("#compose button[type=submit]")
        page.wait_for_selector(f"#timeline article:has-text('Hello directory {name}')")
    else:
        with page.expect_navigation():
            page.click("#compose button[type=submit]")

    # Recently active (the default): listed, with its post count and when it last posted.
    page.goto("/directory")
    assert page.get_by_role("heading", name="Directory").is_visible()
    assert _tab(page, "Order", "Recently active").get_attribute("aria-current") == "page"
    assert "who posted most recently" in page.locator("main").inner_text()
    row = _who(page, name)
    assert row.count() == 1
    assert "1 post ·" in row.inner_text()
    assert row.locator("time").count() == 1
    screenshot(page, f"directory-01-active-{'js' if javascript else 'nojs'}")

    # New: a plain link to ?order=new; the newest account comes first.
    with page.expect_navigation():
        _tab(page, "Order", "New").click()
    assert "order=new" in page.url
    assert _tab(page, "Order", "New").get_attribute("aria-current") == "page"
    assert "newest first" in page.locator("main").inner_text()
    assert f"@{name}" in page.locator("#directory li").first.inner_text()

    # From this server: the local filter keeps the order.
    with page.expect_navigation():
        _tab(page, "Whose profiles", re.compile(r"^From ")).click()
    assert "order=new" in page.url and "local=1" in page.url
    assert (
        _tab(page, "Whose profiles", re.compile(r"^From ")).get_attribute("aria-current") == "page"
    )
    assert _who(page, name).count() == 1

    # Back to recently active, still local.
    with page.expect_navigation():
        _tab(page, "Order", "Recently active").click()
    assert "order=active" in page.url and "local=1" in page.url
    assert _who(page, name).count() == 1
    screenshot(page, f"directory-02-local-active-{'js' if javascript else 'nojs'}")
