"""Live updates in real Chromium: one user's post appears in another user's open home timeline
without a reload, the notification badge follows, and a lost connection catches up."""

from __future__ import annotations

import sys
import textwrap
import time

from tests.browser.conftest import Instance, sign_in
from tests.processes import run

LIVE_SECONDS = 2.0

FOLLOW_SCRIPT = textwrap.dedent(
    """
    import sys
    from fedi import create_app
    from fedi.models import Account
    from fedi.extensions import db
    from fedi.services import follows

    app = create_app()
    with app.app_context():
        find = lambda name: db.session.query(Account).filter_by(username=name, domain=None).one()
        follows.follow(account=find(sys.argv[1]), target=find(sys.argv[2]))
    """
)


def follow(instance: Instance, follower: str, target: str) -> None:
    done = run([sys.executable, "-c", FOLLOW_SCRIPT, follower, target], instance.env)
    assert done.returncode == 0, done.stdout + done.stderr


def open_live_home(new_context, username: str):
    page = new_context().new_page()
    sign_in(page, username)
    page.goto("/home")
    page.wait_for_function("() => document.documentElement.dataset.live === 'open'")
    return page


def post(page, text: str) -> None:
    page.goto("/home")
    page.fill("#compose-text", text)
    page.click("#compose button[type=submit]")
    page.wait_for_selector(f"#timeline article:has-text('{text}')")


def test_post_appears_live_in_a_followers_home(new_context, instance):
    follow(instance, "alice", "bob")
    reader = open_live_home(new_context, "alice")
    writer = new_context().new_page()
    sign_in(writer, "bob")

    text = f"Live from bob {time.time_ns()}"
    post(writer, text)
    started = time.monotonic()
    reader.wait_for_selector(f"#timeline article:has-text('{text}')", timeout=LIVE_SECONDS * 1000)
    assert time.monotonic() - started < LIVE_SECONDS
    # On top, once, and the page was never reloaded.
    assert text in reader.locator("#timeline article").first.inner_text()
    assert reader.locator(f"#timeline article:has-text('{text}')").count() == 1
    assert reader.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_notification_badge_updates_live(new_context, instance):
    reader = open_live_home(new_context, "alice")
    before = reader.locator("#nav-badge").inner_text() or "0"
    writer = new_context().new_page()
    sign_in(writer, "bob")

    post(writer, f"@alice have a look {time.time_ns()}")

    reader.wait_for_function(
        "before => { const b = document.getElementById('nav-badge');"
        " return b && !b.hidden && b.textContent.trim() !== before; }",
        arg=before,
        timeout=LIVE_SECONDS * 1000,
    )


def test_reconnects_and_catches_up_after_network_loss(new_context, instance):
    follow(instance, "alice", "bob")
    reader = open_live_home(new_context, "alice")
    reader.context.set_offline(True)
    reader.wait_for_function("() => document.documentElement.dataset.live === 'closed'")

    writer = new_context().new_page()
    sign_in(writer, "bob")
    text = f"Posted while alice was offline {time.time_ns()}"
    post(writer, text)
    reader.wait_for_timeout(1000)
    assert reader.locator(f"#timeline article:has-text('{text}')").count() == 0

    reader.context.set_offline(False)
    reader.wait_for_selector(f"#timeline article:has-text('{text}')", timeout=15_000)
