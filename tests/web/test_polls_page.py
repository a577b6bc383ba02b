"""Polls in the web UI: the compose page's poll fields (plain form fields, empty options
ignored), voting from a card without JavaScript (a POST of the page's action form, then back)
and with HTMX (the card swapped), results after voting, for the author and once ended, and
hidden totals (the same in Chromium: tests/browser/test_polls.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from fedi import queue
from fedi.extensions import db
from fedi.models import Poll, PollVote, Status, utcnow
from fedi.services import polls, statuses
from tests.web.signed_in import form_post, page, signed_in


@pytest.fixture(autouse=True)
def _no_leftover_delayed_tasks():
    queue.huey.read_schedule(datetime(9999, 1, 1))
    yield
    queue.huey.read_schedule(datetime(9999, 1, 1))


def _poll_post(author, **spec) -> Status:
    spec = {"options": ["red", "green", "blue"], "expires_in": 3600} | spec
    return statuses.post_status(account=author, text="Favourite colour?",
                                poll=polls.PollSpec(**spec))  # fmt: skip


def test_posting_a_poll_without_javascript(app, alice):
    browser = signed_in(app)
    compose = page(browser, "/compose")
    assert compose.count('name="poll_options"') == 4 and 'name="poll_expires_in"' in compose
    assert 'name="poll_options"' not in page(browser, "/home")  # the compact form has none

    r = form_post(browser, "/compose", {
        "text": "Lunch?", "poll_options": ["soup", "", "salad", ""], "poll_expires_in": "1800",
        "poll_multiple": "1",
    })  # fmt: skip
    assert r.status_code == 303, r.get_data(as_text=True)
    poll = db.session.scalar(select(Poll))
    assert poll.options == ["soup", "salad"] and poll.multiple and not poll.hide_totals
    assert abs((poll.expires_at - utcnow()).total_seconds() - 1800) < 60
    # The author sees the results (with no votes yet) and no vote button.
    home = page(browser, "/home")
    assert "soup" in home and "name=vote" not in home and "0 people" in home


def test_a_poll_with_one_option_comes_back_with_the_error(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/compose", {"text": "Hm", "poll_options": ["only", "", "", ""],
                                        "poll_expires_in": "300"})  # fmt: skip
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Poll options must have more than one item" in body
    assert 'value="only"' in body  # kept
    assert db.session.scalar(select(Poll)) is None


def test_voting_without_javascript_then_the_results(app, alice, bob):
    post = _poll_post(bob)
    browser = signed_in(app)
    local = page(browser, "/local")
    assert f"<input form=f type=radio name=choices-{post.id} value=1> green" in local
    assert f"<button form=f name=vote value={post.id}>Vote</button>" in local

    r = form_post(browser, "/statuses", {"vote": post.id, f"choices-{post.id}": "1"},
                  headers={"Referer": "/local"})  # fmt: skip
    assert r.status_code == 303
    assert [v.choice for v in db.session.scalars(select(PollVote))] == [1]
    after = page(browser, "/local")
    assert "name=vote" not in after
    assert re.search(r"green <small>\(your choice\)</small> <small>100%</small>", after)
    assert "1 person" in after


def test_voting_with_htmx_swaps_the_card(app, alice, bob):
    post = _poll_post(bob, multiple=True)
    browser = signed_in(app)
    assert "type=checkbox" in page(browser, "/local")
    r = form_post(browser, "/statuses", {"vote": post.id, f"choices-{post.id}": ["0", "2"]},
                  htmx=True)  # fmt: skip
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.lstrip().startswith("<article")
    assert r.headers["HX-Retarget"] == f"#status-{post.id}"
    assert "red <small>(your choice)</small> <small>100%</small>" in body
    assert "green <small>0%</small>" in body


def test_hidden_totals_until_the_end(app, alice, bob, carol):
    post = _poll_post(bob, hide_totals=True)
    polls.vote(poll_id=polls.for_status(post.id).id, account=carol, choices=[2])
    browser = signed_in(app)
    form_post(browser, "/statuses", {"vote": post.id, f"choices-{post.id}": "0"})
    shown = page(browser, "/local")
    assert "Results hidden until the poll ends" in shown and "%" not in shown.split("poll")[-1]
    db.session.execute(update(Poll).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    ended = page(browser, "/local")
    assert "Closed" in ended and "blue <small>50%</small>" in ended
