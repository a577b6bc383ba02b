"""Every web page renders through fedi/web/render.py: the whole page, or one block of it for
HTMX, varying on HX-Request; personal pages are kept out of caches, public ones are not."""

from __future__ import annotations

from fedi.services import statuses
from tests.web.signed_in import HTMX, signed_in


def test_a_signed_in_page_is_private_whole_or_fragment(app, alice):
    browser = signed_in(app)
    whole, fragment = browser.get("/home"), browser.get("/home", headers=HTMX)
    assert whole.status_code == fragment.status_code == 200
    assert "<html" in whole.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    for r in (whole, fragment):
        assert r.headers["Cache-Control"] == "private, no-store"
        assert "HX-Request" in r.headers["Vary"]


def test_a_form_with_a_token_is_private_even_signed_out(client):
    r = client.get("/auth/password/new")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"


def test_a_public_page_sets_no_cache_control_of_its_own(client, alice):
    post = statuses.post_status(account=alice, text="singing #wrens")
    for path in ("/", "/about", "/public/local", "/@alice", f"/@alice/{post.id}", "/tags/wrens"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "Cache-Control" not in r.headers, path
        assert "HX-Request" in r.headers["Vary"], path
