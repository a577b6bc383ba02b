"""A local suspension, end to end between two real instances: A's moderator suspends alice (the
CLI, which calls the same service as the admin pages and API), A sends a Delete of her actor to
every server that knows her, and on B her post leaves bob's home timeline, the follow ends and
her account shows as suspended."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.federation.test_multi_instance import Instance, eventually, follow, in_home, post, start
from tests.processes import FEDI, free_port, run

pytestmark = [pytest.mark.slow, pytest.mark.embedded]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Iterator[tuple[Instance, Instance]]:
    root = tmp_path_factory.mktemp("suspension_pair")
    with ExitStack() as stack:
        a = Instance("a", free_port(), root / "a" / "instance", root / "a" / "logs")
        b = Instance("b", free_port(), root / "b" / "instance", root / "b" / "logs")
        for inst, users in ((a, ("alice", "amod")), (b, ("bob",))):
            start(inst, stack)
            for user in users:
                inst.add_user(user)
        made = run([*FEDI, "set-role", "amod", "moderator"], a.env())
        assert made.returncode == 0, made.stdout + made.stderr
        yield a, b


def test_a_local_suspension_makes_the_account_disappear_on_the_other_instance(pair):
    a, b = pair
    alice_on_b = follow(b, a, "bob", "alice")
    eventually("bob following alice", lambda: b.relationship("bob", alice_on_b)["following"], b)
    sent = post(a, "alice", "Hello from alice")
    eventually("alice's post in bob's home", lambda: in_home(b, "bob", sent["uri"]), b)

    done = run([*FEDI, "suspend", "alice", "--by", "amod", "--text", "Spam"], a.env())
    assert done.returncode == 0, done.stdout + done.stderr

    eventually("alice's post gone from bob's home",
               lambda: in_home(b, "bob", sent["uri"]) is None, b)  # fmt: skip
    shown = b.ok("GET", "bob", f"/api/v1/accounts/{alice_on_b}")
    assert shown.get("suspended") is True
    related = b.ok("GET", "bob", "/api/v1/accounts/relationships", params={"id[]": alice_on_b})
    assert related == [] or related[0]["following"] is False
    assert b.ok("GET", "bob", f"/api/v1/accounts/{alice_on_b}/statuses") == []
    found = b.ok("GET", "bob", "/api/v2/search", params={"q": f"alice@{a.domain}"})
    assert found["accounts"] == []
    # on A her token no longer works: the web process learns of the CLI's revocation within
    # services/token_cache.TTL seconds
    eventually("alice's token refused on A",
               lambda: a.get("alice", "/api/v1/accounts/verify_credentials").status_code == 401,
               a)  # fmt: skip
