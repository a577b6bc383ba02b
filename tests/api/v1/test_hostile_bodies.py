"""Hostile request bodies and paths: JSON nested past json_limits.MAX_DEPTH, ids past 64 bits, NUL
characters, values of the wrong type or size. Mastodon's error JSON (4xx), nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.json_limits import MAX_DEPTH
from fedi.models import AccountDomainBlock, FeaturedTag, Mute, OAuthApplication, Status
from tests.helpers import bearer, row_counts, token_for


def deep(levels: int) -> bytes:
    return b'{"status": ' + b"[" * levels + b"1" + b"]" * levels + b"}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("levels", [MAX_DEPTH, 300, 10_000])
def test_posting_a_deeply_nested_body_is_422(client, alice, levels):
    r = client.post(
        "/api/v1/statuses",
        data=deep(levels),
        headers={**bearer(token_for(alice)), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert set(r.get_json()) == {"error"}
    assert count(Status) == 0


@pytest.mark.parametrize("levels", [300, 10_000])
def test_registering_an_app_with_a_deeply_nested_body_is_422(client, levels):
    body = b'{"client_name": "x", "redirect_uris": ' + b"[" * levels + b"]" * levels + b"}"
    apps_before = count(OAuthApplication)
    r = client.post("/api/v1/apps", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert set(r.get_json()) == {"error"}
    assert count(OAuthApplication) == apps_before


def test_a_plain_json_body_still_posts(client, alice):
    r = client.post(
        "/api/v1/statuses",
        json={"status": "Hello", "visibility": "public"},
        headers=bearer(token_for(alice)),
    )
    assert r.status_code == 200 and r.get_json()["content"] == "<p>Hello</p>"


# --- inputs the hostile-input test (tests/test_hostile_inputs.py) found answered 500 -----------


PAST_64_BITS = str(2**63)  # 9223372036854775808: no BIGINT holds it; the driver refused it


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", f"/api/v1/media/{PAST_64_BITS}"),  # an <int:...> route
        ("PUT", f"/api/v1/lists/{PAST_64_BITS}"),
        ("POST", f"/api/v1/lists/{'9' * 40}/accounts"),
        ("POST", f"/api/v1/announcements/{PAST_64_BITS}/dismiss"),
        ("DELETE", f"/api/v1/conversations/{PAST_64_BITS}"),
        ("DELETE", f"/api/v1/featured_tags/{PAST_64_BITS}"),
        ("PUT", f"/api/v2/filters/{PAST_64_BITS}"),
        ("POST", f"/api/v2/filters/{'9' * 40}/keywords"),
        ("DELETE", f"/api/v1/filters/{PAST_64_BITS}"),
    ],
)
def test_ids_past_64_bits_name_nothing(client, alice, method, path):
    headers = bearer(token_for(alice))
    before = row_counts()
    r = client.open(path, method=method, json={}, headers=headers)
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert row_counts() == before


def test_dismissing_a_suggestion_past_64_bits_is_accepted_and_ignored(client, alice):
    headers = bearer(token_for(alice))
    before = row_counts()
    r = client.delete(f"/api/v1/suggestions/{PAST_64_BITS}", headers=headers)
    assert r.status_code == 200  # unknown ids are ignored, as Mastodon does
    assert row_counts() == before


def test_ids_past_64_bits_in_parameters_name_nothing(client, alice, bob):
    headers = bearer(token_for(alice))
    listed = client.post("/api/v1/lists", json={"title": "L"}, headers=headers).get_json()
    r = client.post(
        f"/api/v1/lists/{listed['id']}/accounts", json={"account_ids": [PAST_64_BITS]},
        headers=headers,
    )  # fmt: skip
    assert r.status_code == 404
    r = client.get(f"/api/v1/timelines/home?max_id={'9' * 30}", headers=headers)
    assert r.status_code == 200  # an id that cannot be one is ignored, as Mastodon does


@pytest.mark.parametrize(
    ("request_args", "status"),
    [
        ({"json": {"status": "a\x00b"}}, 422),
        ({"data": {"status": "a\x00b"}}, 422),
        ({"data": {"status": "ok", "spoiler_text\x00": "x"}}, 422),
        ({"json": {"status": "ok", "poll": {"options": ["a", "\x00"], "expires_in": 300}}}, 422),
        ({"query_string": {"status": "\x00"}}, 422),
    ],
)
def test_null_characters_are_refused_before_anything_is_stored(client, alice, request_args, status):
    """PostgreSQL's text cannot hold NUL: posting one was a 500 there (SQLite stored it)."""
    headers = bearer(token_for(alice))
    before = row_counts()
    r = client.post("/api/v1/statuses", headers=headers, **request_args)
    assert r.status_code == status
    assert r.get_json() == {"error": "Validation failed: Parameters cannot contain null characters"}
    assert row_counts() == before


def test_a_null_character_in_the_path_names_nothing(client, alice):
    r = client.post("/api/v2/notifications/%00/dismiss", headers=bearer(token_for(alice)))
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert client.get("/tags/%00").status_code == 404  # the web UI too


def test_scopes_that_are_not_text_are_unknown_scopes(client):
    body = {"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": [1, {}]}
    r = client.post("/api/v1/apps", json=body)
    assert r.status_code == 422
    assert (
        r.get_json()["error"] == "Validation failed: Scopes doesn't match configured on the server."
    )
    assert count(OAuthApplication) == 0


def test_a_mute_longer_than_a_timestamp_can_hold_is_refused(client, alice, bob):
    r = client.post(
        f"/api/v1/accounts/{bob.id}/mute", json={"duration": 10**17},
        headers=bearer(token_for(alice)),
    )  # fmt: skip
    assert r.status_code == 422
    assert r.get_json()["error"] == (
        "Validation failed: Duration must be less than or equal to 2147483647"
    )
    assert count(Mute) == 0


@pytest.mark.parametrize("domain", ["h" * 300 + ".example", "[::1"])
def test_a_domain_that_cannot_be_one_is_not_blocked(client, alice, domain):
    r = client.post(
        "/api/v1/domain_blocks", json={"domain": domain}, headers=bearer(token_for(alice))
    )
    assert r.status_code == 422 and r.get_json()["error"] == "Validation failed: Domain is invalid"
    assert count(AccountDomainBlock) == 0


def test_a_domain_block_is_stored_as_accounts_store_domains(client, alice):
    headers = bearer(token_for(alice))
    r = client.post("/api/v1/domain_blocks", json={"domain": "Bücher.Example."}, headers=headers)
    assert r.status_code == 200
    assert client.get("/api/v1/domain_blocks", headers=headers).get_json() == [
        "xn--bcher-kva.example"
    ]


def test_a_featured_tag_longer_than_a_tag_is_refused(client, alice):
    r = client.post(
        "/api/v1/featured_tags", json={"name": "a" * 300}, headers=bearer(token_for(alice))
    )
    assert r.status_code == 422
    assert (
        r.get_json()["error"] == "Validation failed: Name is too long (maximum is 255 characters)"
    )
    assert count(FeaturedTag) == 0


def test_a_search_longer_than_any_url_is_refused(client, alice):
    """SQLite refused the LIKE pattern of a 100,000-character query (a 500)."""
    r = client.get(
        "/api/v2/search", query_string={"q": "<p>" * 20_000}, headers=bearer(token_for(alice))
    )
    assert r.status_code == 422
    assert r.get_json()["error"] == "Validation failed: q is too long (maximum is 4096 characters)"
