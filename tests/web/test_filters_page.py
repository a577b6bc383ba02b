"""Filters in the web UI: made and changed with plain forms, and obeyed by the cards: a warned
post sits behind a <details> with the filter's title, a hidden one is left out, each only in the
contexts the filter names."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import Filter
from fedi.services import filters, follows, statuses
from fedi.services.filters import KeywordChange
from tests.web.a11y import assert_accessible
from tests.web.signed_in import field_value, form_post, page, signed_in


def test_create_edit_and_delete_a_filter_with_forms(app, alice):
    client = signed_in(app)
    text = page(client, "/settings/filters/new")
    assert_accessible(text)
    r = form_post(client, "/settings/filters", {
        "title": "Football", "context": ["home", "public"], "action": "hide", "expires_in": "3600",
        "keyword_row": ["0", "1", "2"], "keyword_0": "football", "whole_word_0": "1",
        "keyword_1": "goal", "keyword_2": "",
    })  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"] == "/settings/filters?saved=1"
    (row,) = filters.list_filters(alice)
    assert row.title == "Football" and row.context == ["home", "public"]
    assert row.action.value == "hide" and row.expires_at is not None
    assert [(k.keyword, k.whole_word) for k in row.keywords] == [
        ("football", True), ("goal", False),
    ]  # fmt: skip
    listing = page(client, "/settings/filters")
    assert "Football" in listing and "football, goal" in listing
    assert_accessible(listing)

    form = page(client, f"/settings/filters/{row.id}/edit")
    assert field_value(form, "keyword_0") == "football" and 'value="keep" selected' in form
    goal_id = field_value(form, "keyword_id_1")
    r = form_post(client, f"/settings/filters/{row.id}", {
        "title": "Sport", "context": ["thread"], "action": "warn", "expires_in": "keep",
        "keyword_row": ["0", "1", "2"], "keyword_id_0": str(row.keywords[0].id),
        "keyword_0": "football", "keyword_id_1": goal_id, "keyword_1": "goal", "remove_1": "1",
        "keyword_2": "match", "whole_word_2": "1",
    })  # fmt: skip
    assert r.status_code == 303
    db.session.expire_all()
    row = db.session.get(Filter, row.id)
    assert row.title == "Sport" and row.context == ["thread"] and row.action.value == "warn"
    assert row.expires_at is not None
    assert [(k.keyword, k.whole_word) for k in row.keywords] == [
        ("football", False), ("match", True),
    ]  # fmt: skip

    r = form_post(client, f"/settings/filters/{row.id}/delete")
    assert r.status_code == 303 and filters.list_filters(alice) == []


def test_form_errors_are_shown_inline(app, alice):
    client = signed_in(app)
    r = form_post(client, "/settings/filters", {"title": "", "keyword_row": ["0"],
                                                "keyword_0": "x"})  # fmt: skip
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "Title can&#39;t be blank" in text
    assert "Context can&#39;t be blank" in text
    assert filters.list_filters(alice) == []


def test_cards_obey_filters_in_their_contexts(app, alice, bob):
    follows.follow(account=alice, target=bob)
    warned = statuses.post_status(account=bob, text="Spoilers about the ending")
    hidden = statuses.post_status(account=bob, text="Football results")
    plain = statuses.post_status(account=bob, text="Nice weather")
    filters.create(alice, title="Spoilers", context=["home", "thread"],
                   keywords=[KeywordChange("ending")])  # fmt: skip
    filters.create(alice, title="Sport", context=["home"], action="hide",
                   keywords=[KeywordChange("football")])  # fmt: skip
    client = signed_in(app)

    home = page(client, "/home")
    assert "<details class=filtered><summary>Filtered: Spoilers · Show anyway</summary>" in home
    assert f'id="status-{warned.id}"' in home  # still there, behind the warning
    assert f'id="status-{hidden.id}"' not in home
    assert f'id="status-{plain.id}"' in home
    assert_accessible(home)

    thread = page(client, f"/@bob/{warned.id}")
    assert "Filtered: Spoilers" in thread
    profile = page(client, "/@bob")  # neither filter names profiles
    assert "Filtered:" not in profile and f'id="status-{hidden.id}"' in profile
    assert "Filtered:" not in page(signed_in(app, "bob"), "/@bob")  # only alice's filters
