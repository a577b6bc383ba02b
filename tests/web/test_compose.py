"""Composing on /home and /compose: the post appears, errors come back inline, replies thread,
edits and deletes work, and HTMX gets fragments instead of pages."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import Status
from tests.web.signed_in import HTMX, field_value, form_post, page, signed_in


def _latest(account) -> Status:
    return db.session.query(Status).filter_by(account_id=account.id).order_by(Status.id.desc())[0]


def test_home_requires_sign_in(client):
    r = client.get("/home")
    assert r.status_code == 302 and r.headers["Location"] == "/auth/sign_in?next=%2Fhome"


def test_compose_form_is_labelled_and_counts_characters(app, alice):
    browser = signed_in(app)
    home = page(browser, "/home")
    assert '<label for="compose-text">' in home and '<label for="compose-spoiler">' in home
    assert '<label for="compose-visibility">' in home and '<label for="compose-language">' in home
    assert 'id="compose-remaining"' in home and ">500</output>" in home
    assert "js/compose.js" in home and "<script>" not in home


def test_post_without_javascript_redirects_home_and_appears(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/compose", {"text": "Hello from the web", "visibility": "public"})
    assert r.status_code == 303 and r.headers["Location"] == "/home"
    assert "Hello from the web" in page(browser, "/home")
    assert _latest(alice).visibility.value == "public"


def test_post_with_htmx_returns_the_new_card(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/compose", {"text": "Instant post"}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Instant post" in body
    assert body.lstrip().startswith("<article") and "<html" not in body
    assert "HX-Request" in r.headers["Vary"]


def test_errors_inline_without_javascript_keep_the_text(app, alice):
    browser = signed_in(app)
    long_text = "x" * 501
    r = form_post(browser, "/compose", {"text": long_text})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'role="alert"' in body
    assert "character limit of 500 exceeded" in body and long_text in body
    assert ">-1</output>" in body


def test_errors_inline_with_htmx_swap_the_form(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/compose", {"text": "   "}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["HX-Retarget"] == "#compose"
    assert r.headers["HX-Reswap"] == "outerHTML"
    assert body.lstrip().startswith('<form id="compose"') and "be blank" in body


def test_reply_page_prefills_the_mention_and_threads(app, alice, bob):
    from fedi.services import statuses

    parent = statuses.post_status(account=bob, text="Question?")
    browser = signed_in(app)
    reply_page = page(browser, f"/@bob/{parent.id}/reply")
    assert "@bob " in reply_page and field_value(reply_page, "in_reply_to_id") == str(parent.id)
    r = form_post(browser, "/compose", {"text": "@bob Answer!", "in_reply_to_id": str(parent.id)})
    reply = _latest(alice)
    assert r.status_code == 303 and r.headers["Location"] == f"/@alice/{reply.id}"
    assert reply.in_reply_to_id == parent.id


def test_edit_and_delete_own_post(app, alice):
    from fedi.services import statuses

    status = statuses.post_status(account=alice, text="Frist post")
    browser = signed_in(app)
    assert "Frist post" in page(browser, f"/@alice/{status.id}/edit")
    r = form_post(browser, f"/@alice/{status.id}/edit", {"text": "First post", "spoiler_text": ""})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Status, status.id).text == "First post"
    r = form_post(browser, f"/@alice/{status.id}/edit", {"text": ""})
    assert r.status_code == 422 and "be blank" in r.get_data(as_text=True)

    assert "Delete this post?" in page(browser, f"/statuses/{status.id}/delete")
    r = form_post(browser, f"/statuses/{status.id}/delete")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Status, status.id).deleted_at is not None


def test_cannot_edit_someone_elses_post(app, alice, bob):
    from fedi.services import statuses

    status = statuses.post_status(account=bob, text="Mine")
    browser = signed_in(app)
    assert browser.get(f"/@bob/{status.id}/edit").status_code == 404


def test_load_more_returns_the_next_cards_only(app, alice):
    from fedi.services import statuses

    for n in range(22):
        statuses.post_status(account=alice, text=f"post number {n}")
    browser = signed_in(app)
    home = page(browser, "/home")
    assert "post number 21" in home and "post number 1<" not in home
    more = home.split('hx-get="?max_id=')[1].split('"')[0]
    r = browser.get(f"/home?max_id={more}", headers=HTMX)
    body = r.get_data(as_text=True)
    assert "post number 1<" in body and "post number 0<" in body and "<html" not in body


def test_visitors_are_sent_to_the_public_timelines(client):
    assert client.get("/local").headers["Location"] == "/public/local"
    assert client.get("/federated").headers["Location"] == "/public"


def test_signed_in_local_timeline_has_actions(app, alice, bob):
    from fedi.services import statuses

    post = statuses.post_status(account=bob, text="local news", visibility_="public")
    body = page(signed_in(app), "/local")
    assert "local news" in body and f"name=favourite value={post.id}>" in body
