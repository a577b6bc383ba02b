"""A domain suspension between two real instances (`fedi serve` processes over loopback HTTP,
driven through their APIs): after A's admin suspends B's domain through the admin API, A
refuses B's new posts at its inbox (B records the 403 and gives up) and the follows across are
severed both ways; lifting the block lets A fetch from B again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.federation.test_multi_instance import (
    PASSWORD,
    Instance,
    eventually,
    follow,
    in_home,
    post,
    start,
)
from tests.processes import FEDI, free_port, run

pytestmark = [pytest.mark.slow, pytest.mark.embedded]


def _admin_token(inst: Instance, username: str) -> str:
    scopes = "read write admin:read admin:write"
    app = httpx.post(
        f"{inst.base}/api/v1/apps",
        json={"client_name": "admin", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
              "scopes": scopes}, timeout=10,
    ).json()  # fmt: skip
    token = httpx.post(
        f"{inst.base}/oauth/token",
        data={"grant_type": "password", "username": f"{username}@example.com",
              "password": PASSWORD, "client_id": app["client_id"],
              "client_secret": app["client_secret"], "scope": scopes},
        timeout=10,
    )  # fmt: skip
    assert token.status_code == 200, token.text
    return token.json()["access_token"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Iterator[tuple[Instance, Instance]]:
    root = tmp_path_factory.mktemp("domain_suspension")
    with ExitStack() as stack:
        a = Instance("a", free_port(), root / "a" / "instance", root / "a" / "logs")
        b = Instance("b", free_port(), root / "b" / "instance", root / "b" / "logs")
        for inst, users in ((a, ("alice", "boss")), (b, ("bob",))):
            start(inst, stack)
            for user in users:
                inst.add_user(user)
        made = run([*FEDI, "set-role", "boss", "admin"], a.env())
        assert made.returncode == 0, made.stdout + made.stderr
        a.tokens["boss"] = _admin_token(a, "boss")
        yield a, b


def _delivery_to(b: Instance, uri: str, domain: str) -> tuple[str, int | None] | None:
    """(state, last status code) of B's delivery of the activity about `uri` to `domain`, read
    from B's own database."""
    with sqlite3.connect(f"file:{b.instance_dir / 'wren.db'}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT d.state, d.last_status_code FROM deliveries d"
            " JOIN outbox_activities o ON o.id = d.activity_id"
            " WHERE o.payload LIKE ? AND d.domain = ? AND o.type = 'Create'",
            (f'%"{uri}"%', domain),
        ).fetchone()
    return tuple(row) if row else None


def test_a_suspended_domain_is_refused_and_cut_off(pair):
    a, b = pair
    bob_on_a = follow(a, b, "alice", "bob")
    alice_on_b = follow(b, a, "bob", "alice")
    eventually("alice following bob", lambda: a.relationship("alice", bob_on_a)["following"], a)
    eventually("bob following alice", lambda: b.relationship("bob", alice_on_b)["following"], b)
    before = post(b, "bob", "Before the block")
    eventually("bob's post in alice's home", lambda: in_home(a, "alice", before["uri"]), a)

    wanted = {"domain": b.domain, "severity": "suspend", "public_comment": "Test"}
    block = a.ok("POST", "boss", "/api/v1/admin/domain_blocks", json=wanted)
    assert block["domain"] == b.domain and block["severity"] == "suspend"

    me = a.ok("GET", "alice", "/api/v1/accounts/verify_credentials")
    assert me["following_count"] == 0 and me["followers_count"] == 0
    assert in_home(a, "alice", before["uri"]) is None  # its posts left the home feed

    after = post(b, "bob", "After the block")
    refused = eventually(
        "B's delivery to A refused",
        lambda: (d := _delivery_to(b, after["uri"], a.domain)) and d[0] == "failed" and d,
        b,
    )
    assert refused == ("failed", 403)
    assert in_home(a, "alice", after["uri"]) is None
    listed = httpx.get(f"{a.base}/api/v1/instance/domain_blocks", timeout=10).json()
    assert listed == [{"domain": b.domain, "digest": block["digest"], "severity": "suspend",
                       "comment": "Test"}]  # fmt: skip

    a.ok("DELETE", "boss", f"/api/v1/admin/domain_blocks/{block['id']}")
    again = a.resolve("alice", f"bob@{b.domain}")
    assert again["id"] == bob_on_a
    assert a.relationship("alice", bob_on_a)["following"] is False  # severed follows stay ended
