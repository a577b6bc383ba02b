"""Filters on open streams: a change tells the user stream `filters_changed`, and statuses pushed
afterwards carry `filtered` for that viewer."""

from __future__ import annotations

import json

from fedi.services import filters, follows, statuses
from fedi.services.filters import KeywordChange
from tests.helpers import token_for


def test_a_filter_change_and_then_a_matching_post(event_stream, alice, bob):
    follows.follow(account=alice, target=bob)
    stream = event_stream("/api/v1/streaming/user", token_for(alice))
    stream.read_until(lambda: stream.text.startswith(":)"), 2, "opening comment")

    made = filters.create(alice, title="Sport", context=["home"],
                          keywords=[KeywordChange(keyword="football")])  # fmt: skip
    assert stream.next() == ("filters_changed", "undefined")

    post = statuses.post_status(account=bob, text="Football tonight")
    event, data = stream.next()
    entity = json.loads(data)
    assert event == "update" and entity["id"] == str(post.id)
    assert entity["filtered"][0]["filter"]["id"] == str(made.id)
    assert entity["filtered"][0]["keyword_matches"] == ["Football"]
