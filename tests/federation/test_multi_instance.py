"""Federation end to end between real instances: each one a `fedi serve` process with its own
INSTANCE_DIR (SQLite, in-process queue) on 127.0.0.1, driven only through its HTTP APIs.

Deliveries are asynchronous, so every check polls against a deadline. The tests of this module
share two instances and run in order (later scenarios build on earlier follows).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import FEDI, embedded_env, free_port, process, run, wait_for, wait_healthy

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

PASSWORD = "correct horse battery"
DEADLINE = 30.0


@dataclass
class Instance:
    name: str
    port: int
    instance_dir: Path
    logs: Path
    tokens: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = embedded_env(self.instance_dir, self.port)
        env.update(
            LOCAL_DOMAIN=self.domain, LOCAL_HTTPS="false",
            ALLOWED_PRIVATE_ADDRESSES="127.0.0.0/8", RATE_LIMIT_ENABLED="false",
            DELIVERY_RETRY_BASE="1",
        )  # fmt: skip
        return env

    def request(self, method: str, user: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.request(method, f"{self.base}{path}", headers=headers, timeout=20, **kw)

    def get(self, user: str, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", user, path, **kw)

    def post(self, user: str, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", user, path, **kw)

    def ok(self, method: str, user: str, path: str, **kw: Any) -> Any:
        response = self.request(method, user, path, **kw)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()

    def add_user(self, username: str) -> None:
        made = run([*FEDI, "create-user", username, "--email", f"{username}@example.com",
                    "--password", PASSWORD], self.env())  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        app = httpx.post(
            f"{self.base}/api/v1/apps",
            json={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                  "scopes": "read write follow push"},
            timeout=10,
        ).json()  # fmt: skip
        token = httpx.post(
            f"{self.base}/oauth/token",
            data={"grant_type": "password", "username": f"{username}@example.com",
                  "password": PASSWORD, "client_id": app["client_id"],
                  "client_secret": app["client_secret"], "scope": "read write follow push"},
            timeout=10,
        )  # fmt: skip
        assert token.status_code == 200, token.text
        self.tokens[username] = token.json()["access_token"]

    def resolve(self, user: str, acct: str) -> dict:
        """The local id of a remote account, through search with resolve=true."""
        found = self.ok("GET", user, "/api/v2/search", params={"q": acct, "resolve": "true"})
        assert len(found["accounts"]) == 1, found
        return found["accounts"][0]

    def resolve_status(self, user: str, url: str) -> dict:
        params = {"q": url, "resolve": "true", "type": "statuses"}
        found = self.ok("GET", user, "/api/v2/search", params=params)
        assert len(found["statuses"]) == 1, found
        return found["statuses"][0]

    def relationship(self, user: str, account_id: str) -> dict:
        return self.ok("GET", user, "/api/v1/accounts/relationships", params={"id[]": account_id})[
            0
        ]

    def home(self, user: str) -> list[dict]:
        return self.ok("GET", user, "/api/v1/timelines/home", params={"limit": 40})

    def notifications(self, user: str) -> list[dict]:
        return self.ok("GET", user, "/api/v1/notifications", params={"limit": 40})


def eventually(what: str, probe, instance: Instance | None = None, timeout: float = DEADLINE):
    logs = instance.logs if instance is not None else None
    return wait_for(what, probe, timeout, interval=0.2, logs=logs)


def in_home(instance: Instance, user: str, uri: str) -> dict | None:
    return next((s for s in instance.home(user) if s["uri"] == uri), None)


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[tuple[Instance, Instance, ExitStack]]:
    root = tmp_path_factory.mktemp("federation")
    with ExitStack() as stack:
        instances = []
        for name in ("a", "b", "c"):
            inst = Instance(name, free_port(), root / name / "instance", root / name / "logs")
            start(inst, stack)
            instances.append(inst)
        a, b, c = instances
        for user in ("alice", "lena"):
            a.add_user(user)
        for user in ("bob", "carol"):
            b.add_user(user)
        c.add_user("dave")
        yield a, b, stack, c


def start(inst: Instance, stack: ExitStack) -> None:
    inst.proc = stack.enter_context(process([*FEDI, "serve"], inst.env(), inst.logs))
    wait_healthy(inst.base, inst.proc, inst.logs)


def follow(b: Instance, a: Instance, follower: str, acct: str) -> str:
    """`follower`@b follows `acct`@a; returns the remote account's id on b."""
    remote = b.resolve(follower, f"{acct}@{a.domain}")
    b.ok("POST", follower, f"/api/v1/accounts/{remote['id']}/follow")
    return remote["id"]


def post(inst: Instance, user: str, text: str, **extra: Any) -> dict:
    return inst.ok("POST", user, "/api/v1/statuses", json={"status": text, **extra})


# --- 1. follows ------------------------------------------------------------------------------


def test_follow_unlocked_then_locked(servers):
    a, b, *_ = servers
    alice_on_b = follow(b, a, "bob", "alice")
    eventually("bob following alice", lambda: b.relationship("bob", alice_on_b)["following"], b)
    bob_on_a = a.resolve("alice", f"bob@{b.domain}")
    eventually(
        "alice sees bob as follower",
        lambda: a.relationship("alice", bob_on_a["id"])["followed_by"],
        a,
    )

    a.ok("PATCH", "lena", "/api/v1/accounts/update_credentials", data={"locked": "true"})
    lena_on_b = follow(b, a, "bob", "lena")
    assert b.relationship("bob", lena_on_b)["requested"] is True
    requests = eventually(
        "a follow request for lena", lambda: a.ok("GET", "lena", "/api/v1/follow_requests"), a
    )
    assert [r["acct"] for r in requests] == [f"bob@{b.domain}"]
    a.ok("POST", "lena", f"/api/v1/follow_requests/{requests[0]['id']}/authorize")
    eventually("bob following lena", lambda: b.relationship("bob", lena_on_b)["following"], b)
    assert b.relationship("bob", lena_on_b)["requested"] is False


# --- 2. posts reach followers ----------------------------------------------------------------


def test_public_and_private_posts(servers):
    a, b, *_ = servers
    public = post(a, "alice", "Hello from A")
    got = eventually("the public post on B", lambda: in_home(b, "bob", public["uri"]), b)
    assert "Hello from A" in got["content"]
    assert got["account"]["acct"] == f"alice@{a.domain}"

    private = post(a, "alice", "Followers only", visibility="private")
    got = eventually("the private post on B", lambda: in_home(b, "bob", private["uri"]), b)
    assert got["visibility"] == "private"
    assert b.get("carol", f"/api/v1/statuses/{got['id']}").status_code == 404
    assert all(s["uri"] != private["uri"] for s in b.home("carol"))
    alice_on_b = b.resolve("carol", f"alice@{a.domain}")["id"]
    listed = b.ok("GET", "carol", f"/api/v1/accounts/{alice_on_b}/statuses")
    assert private["uri"] not in [s["uri"] for s in listed]


# --- 3. replies, favourites, boosts ----------------------------------------------------------


def test_reply_favourite_boost_notify(servers):
    a, b, *_ = servers
    original = post(a, "alice", "Question for everyone?")
    on_b = eventually("the question on B", lambda: in_home(b, "bob", original["uri"]), b)

    reply = post(b, "bob", f"@alice@{a.domain} an answer", in_reply_to_id=on_b["id"])

    def replied() -> list | None:
        context = a.ok("GET", "alice", f"/api/v1/statuses/{original['id']}/context")
        return [s for s in context["descendants"] if s["uri"] == reply["uri"]] or None

    eventually("the reply in alice's thread", replied, a)

    def notified(kind: str, uri: str):
        def probe():
            found = [
                n for n in a.notifications("alice")
                if n["type"] == kind and n["status"] and n["status"]["uri"] == uri
            ]  # fmt: skip
            return found or None

        return probe

    mention = eventually("a mention notification", notified("mention", reply["uri"]), a)
    assert mention[0]["account"]["acct"] == f"bob@{b.domain}"

    b.ok("POST", "bob", f"/api/v1/statuses/{on_b['id']}/favourite")
    eventually("a favourite notification", notified("favourite", original["uri"]), a)
    b.ok("POST", "bob", f"/api/v1/statuses/{on_b['id']}/reblog")
    eventually("a reblog notification", notified("reblog", original["uri"]), a)
    eventually(
        "the counts on A",
        lambda: (
            (s := a.ok("GET", "alice", f"/api/v1/statuses/{original['id']}"))
            and s["favourites_count"] == 1
            and s["reblogs_count"] == 1
            and s["replies_count"] == 1
        ),
        a,
    )


# --- 4. edits and deletes --------------------------------------------------------------------


def test_edit_with_history_and_delete(servers):
    a, b, *_ = servers
    original = post(a, "alice", "First version")
    on_b = eventually("the post on B", lambda: in_home(b, "bob", original["uri"]), b)
    a.ok("PUT", "alice", f"/api/v1/statuses/{original['id']}", json={"status": "Second version"})

    def edited():
        history = b.ok("GET", "bob", f"/api/v1/statuses/{on_b['id']}/history")
        return history if len(history) == 2 else None

    history = eventually("two revisions on B", edited, b)
    assert "First version" in history[0]["content"]
    assert "Second version" in history[1]["content"]
    current = b.ok("GET", "bob", f"/api/v1/statuses/{on_b['id']}")
    assert "Second version" in current["content"] and current["edited_at"]

    a.ok("DELETE", "alice", f"/api/v1/statuses/{original['id']}")
    eventually(
        "the post gone from B",
        lambda: b.get("bob", f"/api/v1/statuses/{on_b['id']}").status_code == 404,
        b,
    )
    assert in_home(b, "bob", original["uri"]) is None


# --- 6. profiles -----------------------------------------------------------------------------


def test_profile_update_reaches_followers(servers):
    a, b, *_ = servers
    a.ok("PATCH", "alice", "/api/v1/accounts/update_credentials", data={"display_name": "Alice A"})
    alice_on_b = b.resolve("bob", f"alice@{a.domain}")["id"]
    eventually(
        "the new display name on B",
        lambda: b.ok("GET", "bob", f"/api/v1/accounts/{alice_on_b}")["display_name"] == "Alice A",
        b,
    )


# --- a third instance: boosts carry posts further ---------------------------------------------


def test_boost_reaches_a_third_instance(servers):
    a, b, _, c = servers
    bob_on_c = follow(c, b, "dave", "bob")
    eventually("dave following bob", lambda: c.relationship("dave", bob_on_c)["following"], c)
    original = post(a, "alice", "Worth sharing")
    on_b = eventually("the post on B", lambda: in_home(b, "bob", original["uri"]), b)
    b.ok("POST", "bob", f"/api/v1/statuses/{on_b['id']}/reblog")

    def boosted() -> dict | None:
        return next(
            (s for s in c.home("dave") if s["reblog"] and s["reblog"]["uri"] == original["uri"]),
            None,
        )

    got = eventually("bob's boost of alice's post on C", boosted, c)
    assert got["account"]["acct"] == f"bob@{b.domain}"
    assert got["reblog"]["account"]["acct"] == f"alice@{a.domain}"
    assert "Worth sharing" in got["reblog"]["content"]


# --- 5. unfollow and block -------------------------------------------------------------------


def test_unfollow_stops_delivery_and_block_removes_follow(servers):
    a, b, *_ = servers
    lena_on_b = b.resolve("bob", f"lena@{a.domain}")["id"]
    b.ok("POST", "bob", f"/api/v1/accounts/{lena_on_b}/unfollow")
    bob_on_a = a.resolve("lena", f"bob@{b.domain}")["id"]
    eventually(
        "lena losing bob as follower",
        lambda: not a.relationship("lena", bob_on_a)["followed_by"],
        a,
    )
    quiet = post(a, "lena", "Nobody on B should see this")
    marker = post(a, "alice", "Sent after lena's")
    eventually("alice's marker post on B", lambda: in_home(b, "bob", marker["uri"]), b)
    assert in_home(b, "bob", quiet["uri"]) is None

    alice_on_b = b.resolve("bob", f"alice@{a.domain}")["id"]
    a.ok("POST", "alice", f"/api/v1/accounts/{bob_on_a}/block")
    assert a.relationship("alice", bob_on_a)["followed_by"] is False  # ids are per instance
    eventually(
        "bob no longer following alice",
        lambda: not b.relationship("bob", alice_on_b)["following"],
        b,
    )


# --- 7. downtime -----------------------------------------------------------------------------


def test_deliveries_survive_downtime(servers):
    a, b, stack, _ = servers
    bob_on_a = a.resolve("lena", f"bob@{b.domain}")["id"]
    a.ok("POST", "alice", f"/api/v1/accounts/{bob_on_a}/unblock")
    alice_on_b = follow(b, a, "carol", "alice")
    eventually("carol following alice", lambda: b.relationship("carol", alice_on_b)["following"], b)

    assert b.proc is not None
    b.proc.terminate()
    b.proc.wait(timeout=20)
    posted = []
    for n in range(3):
        # Remote ids come from `published`: posts a second apart keep their order on B
        # whatever order the retries arrive in.
        time.sleep(1.1 if n else 0)
        posted.append(post(a, "alice", f"While B was down, number {n}"))
    start(b, stack)

    def arrived():
        uris = [s["uri"] for s in b.home("carol")]
        wanted = [p["uri"] for p in posted]
        return [u for u in uris if u in wanted] if set(wanted) <= set(uris) else None

    order = eventually("three posts after the restart", arrived, b, timeout=120)
    assert order == [p["uri"] for p in reversed(posted)]  # newest first, as published
