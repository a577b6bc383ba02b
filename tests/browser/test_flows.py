"""The main flows of the web UI in real headless Chromium: sign up, sign out and in, compose with
the live character count, reply in a thread, favourite and boost in place, follow a locked account
approved from a second browser context; then post-and-follow again with JavaScript disabled, where
every step is a plain form, a redirect and a full page load.

Each test makes its own accounts through the sign-up form (unique names), so the session's
`alice` and `bob` keep their state for the other browser tests."""

from __future__ import annotations

import itertools
import time

from tests.browser.conftest import PASSWORD, screenshot, sign_in

_serial = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{time.time_ns() % 10**9}{next(_serial)}"


def sign_up(page, username: str) -> None:
    page.goto("/auth/sign_up")
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.com")
    page.fill("#password", PASSWORD)
    page.check("#agreement")
    with page.expect_navigation():
        page.click("form[action='/auth/sign_up'] button[type=submit]")
    assert page.locator("h1").inner_text() == f"Welcome, @{username}"


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def signed_in_as(page) -> str | None:
    link = page.locator("nav[aria-label=Account] a[href^='/@']")
    return link.inner_text().removeprefix("@") if link.count() else None


def navigations(page) -> int:
    return page.evaluate("performance.getEntriesByType('navigation').length")


def card(page, text: str):
    return page.locator("article[id^=status-]", has_text=text).first


def post_with_htmx(page, text: str, visibility: str = "public"):
    """Post from /home's compose form; the card is inserted at the top without a reload."""
    page.goto("/home")
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#compose-text", text)
    page.select_option("#compose-visibility", visibility)
    page.click("#compose button[type=submit]")
    page.wait_for_selector(f"#timeline article:has-text('{text}')")
    return card(page, text)


def lock_account(page) -> None:
    page.goto("/settings/profile")
    page.check("#locked")
    with page.expect_navigation():
        page.click("form[action='/settings/profile'] button[type=submit]")
    assert page.url.endswith("/settings/profile?saved=1")
    assert page.is_checked("#locked")


def test_sign_up_sign_out_and_sign_in(new_context):
    name = unique("newbie")
    page = new_context().new_page()

    sign_up(page, name)
    assert signed_in_as(page) == name
    screenshot(page, "flow-01-signed-up")
    page.goto("/home")
    assert page.url.endswith("/home") and signed_in_as(page) == name

    sign_out(page)
    assert signed_in_as(page) is None
    page.goto("/home")
    assert "/auth/sign_in" in page.url  # the home page needs a session again

    sign_in(page, name)
    assert signed_in_as(page) == name
    page.goto("/home")
    assert page.url.endswith("/home")
    screenshot(page, "flow-02-signed-in")


def test_bad_password_shows_an_error_inline(new_context):
    page = new_context().new_page()
    page.goto("/auth/sign_in")
    page.fill("#login", "alice")
    page.fill("#password", "not the password")
    with page.expect_navigation():
        page.click("form[action='/auth/sign_in'] button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Invalid e-mail address or password."
    assert signed_in_as(page) is None


def test_compose_counts_down_and_inserts_the_post_on_top(new_context):
    page = new_context().new_page()
    sign_in(page, "alice")
    page.goto("/home")
    page.wait_for_function("() => window.htmx !== undefined")
    limit = int(page.get_attribute("#compose-text", "data-max-chars"))
    remaining = page.locator("#compose-remaining")
    assert remaining.inner_text() == str(limit)

    text = f"Hello from Chromium {time.time_ns()}"
    page.locator("#compose-text").press_sequentially(text[:5])
    page.wait_for_function(
        "n => document.getElementById('compose-remaining').textContent === String(n)",
        arg=limit - 5,
    )
    page.locator("#compose-text").press_sequentially(text[5:])
    assert remaining.inner_text() == str(limit - len(text))
    page.fill("#compose-spoiler", "cw")  # the content warning counts too
    assert remaining.inner_text() == str(limit - len(text) - 2)
    page.fill("#compose-spoiler", "")
    screenshot(page, "flow-03-composing")

    url = page.url
    page.click("#compose button[type=submit]")
    page.wait_for_selector(f"#timeline article:has-text('{text}')")
    assert text in page.locator("#timeline article").first.inner_text()
    assert page.url == url and navigations(page) == 1
    # The form is cleared and its counter reset after the post went through.
    page.wait_for_function("() => document.getElementById('compose-text').value === ''")
    assert remaining.inner_text() == str(limit)
    screenshot(page, "flow-04-posted")


def _png(colour: str) -> dict:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(out, "PNG")
    return {"name": f"{colour}.png", "mimeType": "image/png", "buffer": out.getvalue()}


def test_compose_with_images_and_their_descriptions(new_context):
    page = new_context().new_page()
    sign_in(page, "alice")
    page.goto("/compose")
    page.wait_for_function("() => window.htmx !== undefined")
    text = f"Two squares {time.time_ns()}"
    page.fill("#compose-text", text)
    page.get_by_label("File 1", exact=True).set_input_files(_png("teal"))
    page.get_by_label("Description of file 1").fill("A teal rectangle")
    page.get_by_label("File 2", exact=True).set_input_files(_png("navy"))
    page.get_by_label("Description of file 2").fill("A navy rectangle")
    page.click("#compose button[type=submit]")

    posted = page.locator(f"#timeline article:has-text('{text}')")
    posted.wait_for()
    images = posted.locator("img[alt='A teal rectangle'], img[alt='A navy rectangle']")
    assert images.count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('#timeline li img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    # The form is reset for the next post, files included.
    page.wait_for_function("() => document.getElementById('compose-text').value === ''")
    assert page.get_by_label("File 1", exact=True).input_value() == ""
    screenshot(page, "flow-05b-posted-images")


def test_compose_error_is_shown_inline(new_context):
    page = new_context().new_page()
    sign_in(page, "alice")
    page.goto("/home")
    page.wait_for_function("() => window.htmx !== undefined")
    page.click("#compose button[type=submit]")  # empty text
    page.wait_for_selector("#compose-error")
    assert page.url.endswith("/home") and navigations(page) == 1


def test_reply_shows_in_the_thread(new_context):
    author = new_context().new_page()
    sign_in(author, "alice")
    text = f"Start of a thread {time.time_ns()}"
    parent = post_with_htmx(author, text)
    parent_id = parent.get_attribute("id").removeprefix("status-")

    replier = new_context().new_page()
    sign_in(replier, "bob")
    replier.goto(f"/@alice/{parent_id}")
    with replier.expect_navigation():
        card(replier, text).get_by_role("link", name="Reply").click()
    assert replier.url.endswith(f"/@alice/{parent_id}/reply")
    assert replier.input_value("#compose-text") == "@alice "
    reply = f"A reply from bob {time.time_ns()}"
    replier.locator("#compose-text").press_sequentially(reply)
    replier.click("#compose button[type=submit]")
    replier.wait_for_selector(f"#timeline article:has-text('{reply}')")
    screenshot(replier, "flow-05-replied")

    replier.goto(f"/@alice/{parent_id}")
    assert text in replier.locator("article.focused").inner_text()
    replies = replier.locator("section.replies article")
    assert replies.count() == 1 and reply in replies.first.inner_text()
    assert "1 reply" in replier.locator("article.focused footer small").inner_text()
    screenshot(replier, "flow-06-thread")


def test_favourite_and_boost_update_the_card_in_place(new_context):
    author = new_context().new_page()
    sign_in(author, "alice")
    text = f"Worth a boost {time.time_ns()}"
    status_id = post_with_htmx(author, text).get_attribute("id").removeprefix("status-")

    page = new_context().new_page()
    sign_in(page, "bob")
    page.goto(f"/@alice/{status_id}")
    page.wait_for_function("() => window.htmx !== undefined")
    url = page.url
    article = page.locator(f"#status-{status_id}")
    counts = article.locator("footer small")  # only non-zero counts are shown
    assert counts.count() == 0

    article.get_by_role("button", name="Favourite", exact=True).click()
    unfavourite = article.get_by_role("button", name="Unfavourite")
    unfavourite.wait_for()
    assert unfavourite.get_attribute("name") == "unfavourite"
    assert counts.inner_text() == "1 favourite"

    article.get_by_role("button", name="Boost", exact=True).click()
    unboost = article.get_by_role("button", name="Unboost")
    unboost.wait_for()
    assert counts.inner_text() == "1 boost · 1 favourite"
    # Still the thread's focused post, with its full set of actions.
    assert "focused" in article.get_attribute("class")
    assert article.get_by_role("button", name="Mute conversation").is_visible()
    assert page.url == url and navigations(page) == 1
    screenshot(page, "flow-07-favourited-and-boosted")

    unfavourite.click()
    article.get_by_role("button", name="Favourite", exact=True).wait_for()
    assert counts.inner_text() == "1 boost"
    assert page.url == url and navigations(page) == 1


def test_follow_a_locked_account_approved_from_another_context(new_context):
    owner_name, fan_name = unique("locked"), unique("fan")
    owner = new_context().new_page()
    sign_up(owner, owner_name)
    lock_account(owner)
    secret = f"Only for followers {time.time_ns()}"
    post_with_htmx(owner, secret, visibility="private")

    fan = new_context().new_page()
    sign_up(fan, fan_name)
    fan.goto(f"/@{owner_name}")
    fan.wait_for_function("() => window.htmx !== undefined")
    assert secret not in fan.locator("main").inner_text()
    url = fan.url
    fan.get_by_role("button", name="Ask to follow").click()
    fan.get_by_role("button", name="Cancel follow request").wait_for()
    assert fan.url == url and navigations(fan) == 1
    screenshot(fan, "flow-08-follow-requested")

    owner.goto("/follow_requests")
    owner.wait_for_function("() => window.htmx !== undefined")
    fan_id = owner.locator("ul.accounts li[id^=request-]").first.get_attribute("id")
    assert owner.locator(f"#{fan_id}").inner_text().count(f"@{fan_name}") == 1
    screenshot(owner, "flow-09-follow-requests")
    owner.get_by_role("button", name=f"Approve @{fan_name}").click()
    owner.locator(f"#{fan_id}").wait_for(state="detached")
    assert owner.url.endswith("/follow_requests") and navigations(owner) == 1

    fan.goto(f"/@{owner_name}")
    assert fan.get_by_role("button", name="Unfollow").is_visible()
    assert secret in card(fan, secret).inner_text()
    screenshot(fan, "flow-10-follower-sees-private-post")


def _submit(page, button) -> None:
    """Click a form button and wait for the full page load it causes (JavaScript is off)."""
    with page.expect_navigation():
        button.click()


def test_post_and_follow_flow_without_javascript(browser, instance):
    contexts = [
        browser.new_context(base_url=instance.base, java_script_enabled=False) for _ in range(2)
    ]
    try:
        for context in contexts:
            context.set_default_timeout(10_000)
        _flow_without_javascript(*(context.new_page() for context in contexts))
    finally:
        for context in contexts:
            context.close()


def _flow_without_javascript(owner, fan) -> None:
    owner_name, fan_name = unique("nojsowner"), unique("nojsfan")
    sign_up(owner, owner_name)
    lock_account(owner)
    sign_up(fan, fan_name)
    sign_out(fan)
    assert signed_in_as(fan) is None

    # Sign in: the form posts and redirects.
    sign_in(fan, fan_name)
    assert signed_in_as(fan) == fan_name

    # Post: a full page load back on /home, the post on top.
    fan.goto("/home")
    text = f"Posted without JavaScript {time.time_ns()}"
    fan.fill("#compose-text", text)
    _submit(fan, fan.locator("#compose button[type=submit]"))
    assert fan.url.endswith("/home")
    assert text in fan.locator("#timeline article").first.inner_text()
    screenshot(fan, "flow-11-nojs-posted")

    # Follow: redirected back to the profile, now with a pending request.
    fan.goto(f"/@{owner_name}")
    _submit(fan, fan.get_by_role("button", name="Ask to follow"))
    assert fan.url.endswith(f"/@{owner_name}")
    assert fan.get_by_role("button", name="Cancel follow request").is_visible()
    screenshot(fan, "flow-12-nojs-requested")

    # Approve from the locked account's own browser.
    owner.goto("/follow_requests")
    _submit(owner, owner.get_by_role("button", name=f"Approve @{fan_name}"))
    assert owner.url.endswith("/follow_requests")
    assert "No pending requests." in owner.locator("ul.accounts").inner_text()
    secret = f"Followers-only, no JavaScript {time.time_ns()}"
    owner.goto("/home")
    owner.fill("#compose-text", secret)
    owner.select_option("#compose-visibility", "private")
    _submit(owner, owner.locator("#compose button[type=submit]"))
    assert owner.url.endswith("/home")
    screenshot(owner, "flow-13-nojs-approved-and-posted")

    # Favourite the private post: redirected back to the same page, the card updated.
    fan.goto(f"/@{owner_name}")
    assert fan.get_by_role("button", name="Unfollow").is_visible()
    post = card(fan, secret)
    _submit(fan, post.get_by_role("button", name="Favourite", exact=True))
    assert fan.url.endswith(f"/@{owner_name}")
    post = card(fan, secret)
    assert post.get_by_role("button", name="Unfavourite").is_visible()
    assert post.locator("footer small").inner_text() == "1 favourite"
    screenshot(fan, "flow-14-nojs-favourited")
    # The follower's home timeline gets the post too (fanned out by a task: allow a moment).
    deadline = time.monotonic() + 5
    while True:
        fan.goto("/home")
        if secret in fan.locator("#timeline").inner_text() or time.monotonic() > deadline:
            break
        fan.wait_for_timeout(200)
    assert secret in fan.locator("#timeline").inner_text()
