"""The hot read paths issue a fixed, small number of queries whatever the page size."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from fedi.extensions import db
from fedi.services import accounts, follows, interactions, statuses
from tests.helpers import bearer, make_local, token_for


@contextmanager
def counting():
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _post(alice, bob, carol, n: int) -> None:
    """`n` statuses of alice (tags, mentions), some favourited by bob; carol boosts a post of
    someone else every fourth time."""
    dan = accounts.find_local("dan") or make_local("dan")
    for i in range(n):
        status = statuses.post_status(account=alice, text=f"post {i} #wren @carol")
        if i % 3 == 0:
            interactions.favourite(status=status, by=bob)
        if i % 4 == 0:
            other = statuses.post_status(account=dan, text=f"boosted {i}")
            interactions.reblog(status=other, by=carol)


def _queries(client, path: str, token: str) -> int:
    client.get(path, headers=bearer(token))  # the token's first use also records it
    with counting() as seen:
        r = client.get(path, headers=bearer(token))
    assert r.status_code == 200
    return len(seen)


def test_home_page_queries_do_not_grow_with_the_page(client, alice, bob, carol):
    follows.follow(account=bob, target=alice)
    follows.follow(account=bob, target=carol)
    token = token_for(bob, "read")
    _post(alice, bob, carol, 5)
    small = _queries(client, "/api/v1/timelines/home?limit=40", token)
    _post(alice, bob, carol, 40)
    large = _queries(client, "/api/v1/timelines/home?limit=40", token)
    body = client.get("/api/v1/timelines/home?limit=40", headers=bearer(token)).get_json()
    assert len(body) == 40 and any(s["reblog"] for s in body)
    assert any(s["favourited"] for s in body) and all(s["mentions"] for s in body if s["tags"])
    # token, page (statuses + authors), boosted originals, hidden authors, page facts, mentions
    assert small == large <= 6


def test_account_statuses_queries_do_not_grow_with_the_page(client, alice, bob, carol):
    token = token_for(bob, "read")
    _post(alice, bob, carol, 5)
    path = f"/api/v1/accounts/{alice.id}/statuses?limit=40"
    small = _queries(client, path, token)
    _post(alice, bob, carol, 40)
    large = _queries(client, path, token)
    assert small == large
