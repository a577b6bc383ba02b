"""The hot read paths issue a fixed, small number of queries whatever the page size."""

from __future__ import annotations

from fedi.extensions import db
from fedi.services import accounts, follows, interactions, statuses
from fedi.ttl_cache import TTLCache
from tests.helpers import bearer, count_queries, make_local, token_for


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
    TTLCache.clear_all()  # count the token's and the account's queries, whatever is cached
    with count_queries() as seen:
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
    # token, page (statuses + authors), boosted originals, hidden authors, page facts, mentions,
    # and with every cache emptied, the viewer's filters and the IP blocks in force (each then
    # kept for a minute)
    assert small == large <= 8


def test_account_statuses_queries_do_not_grow_with_the_page(client, alice, bob, carol):
    token = token_for(bob, "read")
    _post(alice, bob, carol, 5)
    path = f"/api/v1/accounts/{alice.id}/statuses?limit=40"
    small = _queries(client, path, token)
    _post(alice, bob, carol, 40)
    large = _queries(client, path, token)
    assert small == large


def _in_fresh_request(client, path: str, token: str):
    """The request in another thread: its own app context and database session, as in
    production (in the test's thread the request shares the test's session)."""
    import threading
    import warnings

    out = {}

    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. "execution_options ignored"
            out["response"] = client.get(path, headers=bearer(token))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return out["response"]


def test_read_only_pages_answer_the_same_outside_a_transaction(client, alice, bob, carol):
    """Home and account statuses read without a transaction (`read_only`): same answers, and a
    private post stays hidden from a non-follower on that path too."""
    follows.follow(account=bob, target=alice)
    _post(alice, bob, carol, 6)
    statuses.post_status(account=alice, text="followers only", visibility_="private")
    db.session.commit()
    bob_token, carol_token = token_for(bob, "read"), token_for(carol, "read")
    for path, token in (
        ("/api/v1/timelines/home?limit=10", bob_token),
        (f"/api/v1/accounts/{alice.id}/statuses?limit=10", carol_token),
        (f"/api/v1/accounts/{alice.id}/statuses?limit=10", bob_token),
    ):
        expected = client.get(path, headers=bearer(token))
        fresh = _in_fresh_request(client, path, token)
        assert fresh.status_code == expected.status_code == 200
        assert fresh.get_json() == expected.get_json()
        assert fresh.headers["Link"] == expected.headers["Link"]
    texts = [s["content"] for s in fresh.get_json()]
    assert any("followers only" in t for t in texts)  # bob follows alice
    carol_view = client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=bearer(carol_token))
    assert not any("followers only" in s["content"] for s in carol_view.get_json())


def test_serialised_pages_follow_every_change(client, alice, bob):
    """Entities of status views are cached by their row: a change to the status or its author
    is a new row, so the next page shows it (nothing stale)."""
    follows.follow(account=bob, target=alice)
    status = statuses.post_status(account=alice, text="counting")
    token = token_for(bob, "read")

    def first() -> dict:
        body = client.get("/api/v1/timelines/home", headers=bearer(token)).get_json()
        return next(s for s in body if s["id"] == str(status.id))

    before = first()
    assert before["favourites_count"] == 0 and before["favourited"] is False
    interactions.favourite(status=status, by=bob)
    alice.display_name = "Alice Renamed"
    db.session.commit()
    after = first()
    assert after["favourites_count"] == 1 and after["favourited"] is True
    assert after["account"]["display_name"] == "Alice Renamed"
    assert before["account"]["display_name"] != "Alice Renamed"  # the earlier answer kept its own
