# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Generated hostile input, end to end: whatever a client or another server sends, the answer is
never a 5xx, a refusal is a 4xx in the surface's own shape (Mastodon's `{"error": ...}` on the
API), and a refused request writes nothing (every table keeps its row count).

- every write route under /api/, and /oauth/token and /oauth/revoke (found in the app's
  url_map, so a new one is covered without touching this file), with a token holding every
  scope, given generated bodies: JSON of wrong types, nesting, huge and odd strings, invalid
  JSON, mislabelled content types, Rails form keys, multipart; path parameters both real ids and
  hostile ones;
- the inboxes, unsigned and correctly signed by a known remote actor;
- the resolver (`/api/v2/search?resolve=true`) given hostile URLs and handles, with outbound
  requests reaching only a local stub that answers hostile documents (every other address is
  refused, and names resolve only in the test's own table).

Examples are derandomized so CI sees the same inputs every run.
"""

from __future__ import annotations

import functools
import inspect
import io
import ipaddress
import itertools
import json
import os
import re
import socket
import sys
from dataclasses import dataclass
from email.utils import formatdate

import httpcore
import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from fedi import hosts
from fedi.extensions import db
from fedi.models import Announcement, InboxItem, InboxState, Role, Status, Visibility, utcnow
from fedi.services import follows, scopes, statuses
from tests import hostile
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    RemoteActor,
    fixture,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.federation.test_client import Remote, allow, remote, respond  # noqa: F401
from tests.helpers import bearer, make_local, row_counts, token_for
from tests.hostile import json_bytes

ALL_SCOPES = " ".join(sorted(scopes.ALL))
# Examples per route (and per surface below), the same ones every run. To explore further:
# WREN_HOSTILE_EXAMPLES=500 WREN_HOSTILE_RANDOM=1 (new inputs each run).
EXAMPLES = int(os.environ.get("WREN_HOSTILE_EXAMPLES", "20"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("WREN_HOSTILE_RANDOM"),
    database=None,
    phases=[Phase.explicit, Phase.generate],  # unshrunk: a failure reports what was sent
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The inboxes and the resolver are one surface each (not one per route): more examples.
SURFACE = settings(SETTINGS, max_examples=EXAMPLES * 4)


def write_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route of the client API (under /api/, and the OAuth
    token and revocation endpoints) that is not a read."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            if rule.rule.startswith(("/api/", "/oauth/token", "/oauth/revoke")):
                found.append((method, rule.rule, rule.endpoint))
    return sorted(found)


_KEY_RE = re.compile(r"""\b(?:str|bool|int|list|dict|get|file|_text)\(\s*(?:p,\s*)?"([a-z_]+)\"""")


def keys_read_by(app: Flask, endpoint: str) -> list[str]:
    """Parameter names the endpoint's module reads (p.str("x"), p.bool("x"), ...)."""
    module = sys.modules[app.view_functions[endpoint].__module__]
    found = sorted(set(_KEY_RE.findall(inspect.getsource(module))))
    return found or hostile.COMMON_KEYS


@dataclass
class World:
    token: str
    ids: dict[str, list[str]]  # path parameter name -> real values to try


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def quick_passwords(monkeypatch) -> None:
    """Nobody signs in here: one round of hashing instead of scrypt's 0.2 s per account."""
    from fedi.services import accounts

    fast = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(accounts, "generate_password_hash", fast)


@pytest.fixture
def world(client, quick_passwords) -> World:
    """Alice (who holds the token) with a status, a list, media, a featured tag and
    notifications; Bob and Carol, who follow and post; an announcement."""
    alice = make_local("alice", role=Role.ADMIN)
    bob, carol = make_local("bob"), make_local("carol")
    carol.locked = True
    db.session.commit()
    token = token_for(alice, ALL_SCOPES)
    headers = bearer(token)
    own = statuses.post_status(account=alice, text="Hello #tag @bob", visibility_="public")
    theirs = statuses.post_status(account=bob, text="Hi @alice", visibility_="public")
    follows.follow(account=bob, target=alice)
    follows.follow(account=alice, target=carol)  # pending: carol is locked
    follows.follow(account=carol, target=alice)
    listed = client.post("/api/v1/lists", json={"title": "L"}, headers=headers).get_json()
    media = client.post(
        "/api/v2/media", data={"file": (io.BytesIO(png()), "p.png")}, headers=headers,
        content_type="multipart/form-data",
    ).get_json()  # fmt: skip
    tag = client.post("/api/v1/featured_tags", json={"name": "tag"}, headers=headers).get_json()
    notes = client.get("/api/v1/notifications", headers=headers).get_json()
    conversations = client.get("/api/v1/conversations", headers=headers).get_json()
    announcement = Announcement(text="<p>News</p>", published=True, published_at=utcnow())
    db.session.add(announcement)
    db.session.commit()
    ids = {
        "account_id": [str(bob.id), str(carol.id), str(alice.id)],
        "status_id": [str(own.id), str(theirs.id)],
        "list_id": [listed["id"]],
        "media_id": [media["id"]],
        "featured_tag_id": [tag["id"]],
        "id_": [n["id"] for n in notes][:2] or ["1"],
        "group_key": [f"ungrouped-{n['id']}" for n in notes][:1] or ["x"],
        "conversation_id": [c["id"] for c in conversations][:1] or ["1"],
        "announcement_id": [str(announcement.id)],
        "name": ["tag", "👍"],
    }
    return World(token=token, ids=ids)


HOSTILE_SEGMENTS = [
    "0", "-1", str(2**63), "9" * 40, "1.5", "%00", "%e2%80%ae", "a" * 3000, "💥", "%ff",
]  # fmt: skip


def _fill(rule: str, values) -> str:
    """The rule's path with each <parameter> replaced by values(name)."""
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: values(m.group(1)), rule)


def assert_api_error(response) -> None:
    assert response.is_json, (response.status_code, response.get_data()[:300])
    body = response.get_json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str), body


def send(client, method: str, path: str, body: hostile.Body, headers: dict[str, str]):
    url = f"{path}?{body.query}" if body.query else path
    return client.open(url, method=method, data=body.data, headers={**body.headers, **headers})


def answered_cleanly(client, method: str, path: str, body: hostile.Body, token: str) -> None:
    """Never a 5xx; a refusal is Mastodon's error JSON and writes nothing."""
    before = row_counts()
    response = send(client, method, path, body, bearer(token))
    if response.status_code >= 500:
        db.session.rollback()  # what failed may have left the shared session's transaction
    assert response.status_code < 500, (response.status_code, hostile.last_server_error())
    if response.status_code >= 400:
        assert_api_error(response)
        assert hostile.changed(before, row_counts()) == {}
    else:
        assert response.is_json, response.get_data()[:300]


def fuzz(check) -> str | None:
    """Run a hypothesis test; its failure (with the falsifying example) as text, or None."""
    try:
        check()
    except AssertionError as exc:
        notes = "\n".join(getattr(exc, "__notes__", []))
        return f"{exc}\n{notes}"
    return None


def route_check(client, world: World, method: str, rule: str, keys: list[str]):
    plausible = [
        "ok",
        "public",
        "1",
        "true",
        "tag",
        *(v for ids in world.ids.values() for v in ids),
    ]
    bodies = hostile.api_bodies(keys, plausible)

    @SETTINGS
    @given(data=st.data())
    def check(data):
        path = _fill(rule, lambda name: data.draw(st.sampled_from(world.ids.get(name) or ["1"])))
        body = data.draw(bodies, label="body")
        answered_cleanly(client, method, path, body, world.token)

    return check


def test_every_api_write_endpoint_refuses_hostile_bodies_cleanly(app, client, world):
    """Each write route of the url_map in turn, in one world (setting one up per route would
    cost more than the examples), its path parameters naming real rows."""
    failures = []
    for method, rule, endpoint in write_routes(app):
        check = route_check(client, world, method, rule, keys_read_by(app, endpoint))
        failure = fuzz(check)
        if failure:
            failures.append(f"{method} {rule}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_every_api_write_endpoint_refuses_hostile_path_parameters_cleanly(app, client, world):
    """Every route with path parameters, given each hostile segment (ids past 64 bits,
    negative, not numbers, NUL, huge): a 404 or a refusal, never a 5xx."""
    failures = []
    empty = hostile.Body(b"{}", {"Content-Type": "application/json"})
    for method, rule, _ in write_routes(app):
        if "<" not in rule:
            continue
        for segment in HOSTILE_SEGMENTS:
            path = _fill(rule, lambda name, segment=segment: segment)
            try:
                answered_cleanly(client, method, path, empty, world.token)
            except AssertionError as exc:
                failures.append(f"{method} {path[:200]}: {exc}")
    assert not failures, "\n".join(failures)


# --- the inboxes ------------------------------------------------------------------------------

TEMPLATES = [
    "mastodon_follow.json", "mastodon_create_note.json", "mastodon_like.json",
    "mastodon_announce.json", "mastodon_block.json", "mastodon_delete_note.json",
    "mastodon_flag.json", "mastodon_undo_like.json", "mastodon_update_note.json",
    "misskey_create_note.json", "peertube_create_video.json", "lemmy_announce_page.json",
]  # fmt: skip


@dataclass
class Network:
    """The stub servers' ports (127.0.0.1), the only places outbound requests reach, and what
    else they tried to connect to (each attempt refused)."""

    ports: set[int]
    refused: list[tuple[str, int]]

    def assert_guarded(self, app: Flask) -> None:
        """Whatever reached the transport had passed the address guard: public, or allowed."""
        allowed = hosts.parse_networks(app.config["FEDI"].ALLOWED_PRIVATE_ADDRESSES)
        for host, _ in self.refused:
            ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
            assert hosts.is_allowed(ip, allowed) or not hosts.is_special(ip), host


@pytest.fixture
def only_the_stubs(monkeypatch) -> Network:
    """Outbound connections reach only the stub servers; names resolve to nothing (no DNS in a
    test), address literals to themselves, and the address guard of safe_http runs as ever."""
    real_connect = httpcore.SyncBackend.connect_tcp
    real_getaddrinfo = socket.getaddrinfo
    network = Network(ports=set(), refused=[])

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if host != "127.0.0.1" or port not in network.ports:
            network.refused.append((host, port))
            raise httpcore.ConnectError(f"the test refuses {host}:{port}")
        return real_connect(self, host, port, timeout, local_address, socket_options)

    def getaddrinfo(host, port, *args, **kwargs):
        literal = str(host).strip("[]").split("%")[0]
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "the test resolves no names") from None
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return network


def _values(rita: RemoteActor, alice) -> dict[str, str]:
    base = rita.server.base
    return {
        "REMOTE": base, "ACTOR": rita.uri, "LOCAL_ACTOR": alice.uri,
        "LOCAL_PROFILE": f"https://wren.test/@{alice.username}", "GROUP": f"{base}/c/group",
        "OBJECT": f"{base}/objects/1", "OBJECT_AUTHOR": rita.uri,
        "ANNOUNCE_ID": f"{base}/announces/1",
    }  # fmt: skip


def _mutate(activity: dict, paths: list[tuple[str, ...]], replacements: list[object]) -> dict:
    """The activity with the value at each path (keys into nested objects) replaced."""
    out = json.loads(json.dumps(activity))
    for path, value in zip(paths, replacements, strict=False):
        node = out
        for key in path[:-1]:
            child = node.get(key) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[path[-1]] = value
    return out


FIELDS = [
    ("id",), ("type",), ("object",), ("to",), ("cc",), ("published",), ("target",), ("content",),
    ("object", "id"), ("object", "type"), ("object", "attributedTo"), ("object", "content"),
    ("object", "inReplyTo"), ("object", "to"), ("object", "cc"), ("object", "tag"),
    ("object", "attachment"), ("object", "url"), ("object", "published"), ("object", "updated"),
    ("object", "summary"), ("object", "sensitive"), ("object", "contentMap"), ("object", "name"),
    ("object", "oneOf"), ("object", "mediaType"), ("object", "conversation"), ("@context",),
]  # fmt: skip
TYPES = [
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Announce", "Like",
    "Block", "Flag", "Move", "Add", "Remove", "EmojiReact", "Question", "Tombstone", "",
    "follow", "Create\x00", "\u202eetaerC",
]  # fmt: skip


def activity_values(rita: RemoteActor) -> st.SearchStrategy[object]:
    """A field's replacement: a hostile value, a URL (on rita's server, ours, or odd), or an
    activity type."""
    ours = ["https://wren.test/users/alice", "https://wren.test/users/alice/statuses/1"]
    on_rita = [rita.uri, f"{rita.server.base}/objects/404", f"{rita.server.base}/users/nobody"]
    urls = st.sampled_from(ours + on_rita) | hostile.urls
    refs = urls | st.builds(lambda u, t: {"id": u, "type": t}, urls, st.sampled_from(TYPES))
    return st.one_of(
        st.sampled_from(hostile.CLASSIC), hostile.json_values, hostile.NUL_TEXT, urls, refs,
        st.lists(refs, max_size=3), st.sampled_from(TYPES), hostile.deep_values, hostile.huge_text,
    )  # fmt: skip


_fresh = itertools.count(1)


def _fresh_ids(name: str, values: dict[str, str]) -> dict:
    """A template whose ids on rita's server are new (else it is a redelivery, ignored)."""
    n = next(_fresh)
    activity = json.loads(
        json.dumps(fixture(name, **values)).replace("/statuses/", f"/statuses/{n}0")
    )
    activity["id"] = f"{values['ACTOR']}/hostile/{n}"
    return activity


def activities(rita: RemoteActor, alice) -> st.SearchStrategy[dict]:
    values = _values(rita, alice)
    templates = st.builds(_fresh_ids, st.sampled_from(TEMPLATES), st.just(values))
    base = templates | st.builds(
        lambda kind, obj: rita.activity(kind, obj), st.sampled_from(TYPES), activity_values(rita)
    )
    return st.builds(
        _mutate,
        base,
        st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4),
        st.lists(activity_values(rita), min_size=1, max_size=4),
    )


SIGNATURE_PARTS = st.builds(
    lambda key, alg, headers, sig, extra: (
        f'keyId="{key}",algorithm="{alg}",headers="{headers}",signature="{sig}"{extra}'
    ),
    hostile.urls | st.sampled_from(["", "#main-key", "x" * 5000]),
    st.sampled_from(["rsa-sha256", "hs2019", "ed25519", "none", "", "\x00"]),
    st.sampled_from(["(request-target) host date digest", "", "date", "(created)", "host host"]),
    st.sampled_from(["", "AAAA", "!!!!", "A" * 5000, "=" * 3]),
    st.sampled_from(["", ",created=99999999999999999999", ",expires=-1", ',keyId="second"']),
)
INBOX_PATHS = st.sampled_from(["/inbox", "/users/alice/inbox"]) | st.builds(
    lambda name: f"/users/{name}/inbox", st.sampled_from(["nobody", "%00", "a" * 3000, "%e2%80%ae"])
)


@pytest.fixture
def only_rita(only_the_stubs: Network, remote_server) -> Network:
    only_the_stubs.ports.add(int(remote_server.base.rsplit(":", 1)[1]))
    return only_the_stubs


@pytest.fixture
def known_rita(client, alice, rita, only_rita):
    """Rita is known here already (a first signed activity fetched and stored her)."""
    assert (
        rita.post(client, "/inbox", rita.activity("Like", f"{rita.uri}/nothing")).status_code == 202
    )
    return rita


def inbox_answered_cleanly(response, before: dict[str, int], *, signed: bool) -> None:
    assert response.status_code < 500, (response.status_code, hostile.last_server_error())
    changes = hostile.changed(before, row_counts())
    if response.status_code >= 400 or not signed:
        assert changes == {}, (response.status_code, changes)
        return
    assert response.status_code == 202
    items = db.session.scalars(select(InboxItem).order_by(InboxItem.id)).all()
    failed = [(i.activity_type, i.state, i.error) for i in items if i.state in BROKEN]
    assert not failed, failed  # a handler raised: the activity was not handled cleanly
    added = set(changes) - {"inbox_items"}
    newest = items[-1] if changes.get("inbox_items") else None
    if newest is not None and newest.state == InboxState.IGNORED:
        assert not added, (newest.activity_type, newest.error, changes)


BROKEN = {InboxState.FAILED, InboxState.PENDING}


def test_unsigned_hostile_inbox_posts_are_refused_and_write_nothing(
    app, client, alice, known_rita, only_rita
):
    rita = known_rita
    as_json = {"Content-Type": "application/activity+json"}
    bodies = st.one_of(
        st.builds(lambda a: hostile.Body(json_bytes(a), as_json), activities(rita, alice)),
        st.builds(
            lambda data, ctype: hostile.Body(data, {"Content-Type": ctype}),
            st.sampled_from(hostile.RAW_BODIES),
            st.sampled_from(hostile.CONTENT_TYPES),
        ),
        st.builds(
            lambda v: hostile.Body(json_bytes(v), as_json),
            hostile.json_values | hostile.deep_values,
        ),
    )
    signature = st.none() | SIGNATURE_PARTS

    @SURFACE
    @given(path=INBOX_PATHS, body=bodies, signature=signature)
    def check(path, body, signature):
        headers = dict(body.headers)
        if signature is not None:
            headers.update({"Signature": signature, "Date": formatdate(usegmt=True)})
        before = row_counts()
        response = client.post(path, data=body.data, headers=headers)
        inbox_answered_cleanly(response, before, signed=False)
        only_rita.assert_guarded(app)

    check()


def test_signed_hostile_activities_are_handled_cleanly(app, client, alice, known_rita, only_rita):
    """Correctly signed by a known actor: stored and answered 202 (or refused with a 4xx), then
    handled without an error; an activity the handler ignores changes nothing else."""
    rita = known_rita

    @SURFACE
    @given(path=st.sampled_from(["/inbox", "/users/alice/inbox"]), activity=activities(rita, alice))
    def check(path, activity):
        before = row_counts()
        response = rita.post(client, path, activity)
        inbox_answered_cleanly(response, before, signed=True)
        only_rita.assert_guarded(app)

    check()


# --- the resolver -----------------------------------------------------------------------------

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
DOC_FIELDS = [
    ("id",), ("type",), ("preferredUsername",), ("inbox",), ("name",), ("summary",), ("icon",),
    ("image",), ("endpoints",), ("publicKey",), ("attachment",), ("url",), ("followers",),
    ("alsoKnownAs",), ("movedTo",), ("manuallyApprovesFollowers",), ("attributedTo",),
    ("content",), ("contentMap",), ("inReplyTo",), ("tag",), ("published",), ("to",), ("cc",),
    ("sensitive",), ("mediaType",), ("oneOf",), ("context",), ("publicKey", "publicKeyPem"),
    ("publicKey", "owner"), ("endpoints", "sharedInbox"),
]  # fmt: skip
CONTENT_TYPES = [
    "application/activity+json", "application/activity+json", 'application/ld+json; profile="'
    'https://www.w3.org/ns/activitystreams"', "application/json", "text/html", "",
]  # fmt: skip


def _actor(url: str) -> dict:
    return {
        "id": url, "type": "Person", "preferredUsername": "zoe", "inbox": f"{url}/inbox",
        "followers": f"{url}/followers", "name": "Zoe", "summary": "<p>hi</p>",
        "url": url, "icon": {"type": "Image", "url": f"{url}/a.png"},
    }  # fmt: skip


def _note(url: str, author: str) -> dict:
    return {
        "id": url, "type": "Note", "attributedTo": author, "content": "<p>hello</p>",
        "to": [PUBLIC], "published": "2026-01-01T00:00:00Z", "url": url,
    }  # fmt: skip


@dataclass
class Served:
    """What the stub answers at one path."""

    path: str
    status: int
    content_type: str
    body: bytes
    location: str | None = None

    def __repr__(self) -> str:
        shown = self.body[:300] + (b"..." if len(self.body) > 300 else b"")
        where = f", Location: {self.location[:200]!r}" if self.location else ""
        return f"Served({self.path} {self.status} {self.content_type!r}{where}: {shown!r})"


@dataclass
class Scenario:
    q: str
    served: list[Served]

    def __repr__(self) -> str:
        return f"Scenario(q={self.q[:300]!r}, served={self.served!r})"


def scenarios(remote: Remote) -> st.SearchStrategy[Scenario]:
    """A hostile query (nothing served), or the URL of a hostile document on the stub (an actor
    or a note whose author and parent are on the stub too), or a handle whose WebFinger answer
    on the stub is hostile."""
    base = remote.url("")
    host = base.removeprefix("http://")

    def on_stub(kind: str, n: int) -> str:
        return remote.url(f"/{kind}/{n}")

    stub_urls = st.builds(
        on_stub, st.sampled_from(["objects", "users", "nothing"]), st.integers(1, 3)
    )
    values = st.one_of(
        st.sampled_from(hostile.CLASSIC), hostile.json_values, hostile.urls, stub_urls,
        st.lists(stub_urls | hostile.urls, max_size=3), st.sampled_from([*TYPES, "Person", "Note"]),
        hostile.deep_values, hostile.huge_text,
    )  # fmt: skip

    def document(
        kind: str, n: int, paths, replacements, status, ctype, raw, location
    ) -> list[Served]:
        url = remote.url(f"/{kind}/{n}")
        author = remote.url(f"/users/{n}")
        doc = _actor(url) if kind == "users" else _note(url, author)
        body = raw if raw is not None else json_bytes(_mutate(doc, paths, replacements))
        served = [Served(f"/{kind}/{n}", status, ctype, body, location)]
        if kind == "objects":  # the author, valid, so that the note itself is what is judged
            served.append(Served(f"/users/{n}", 200, CONTENT_TYPES[0], json_bytes(_actor(author))))
        return served

    def served_document(n: int, *args) -> Scenario:
        kind = args[0]
        return Scenario(q=remote.url(f"/{kind}/{n}"), served=document(kind, n, *args[1:]))

    def webfinger(n: int, links, doc: list[Served]) -> Scenario:
        jrd = {"subject": f"acct:zoe{n}@{host}", "links": links}
        served = [Served("/.well-known/webfinger", 200, "application/jrd+json", json_bytes(jrd))]
        return Scenario(q=f"@zoe{n}@{host}", served=served + doc)

    numbers = st.builds(lambda: next(_fresh))
    doc_args = (
        st.sampled_from(["users", "objects"]),
        st.lists(st.sampled_from(DOC_FIELDS), max_size=4),
        st.lists(values, min_size=4, max_size=4),
        st.sampled_from([200, 200, 200, 301, 302, 404, 410, 500]),
        st.sampled_from(CONTENT_TYPES),
        st.none() | st.none() | st.sampled_from(hostile.RAW_BODIES),
        st.none() | hostile.urls | stub_urls,
    )
    link = st.fixed_dictionaries(
        {"rel": st.sampled_from(["self", "self", "http://webfinger.net/rel/profile-page", ""])},
        optional={"type": st.sampled_from(CONTENT_TYPES) | values, "href": stub_urls | values},
    )
    return st.one_of(
        st.builds(lambda q: Scenario(q=q, served=[]), hostile.queries),
        st.builds(lambda n, *a: served_document(n, *a), numbers, *doc_args),
        st.builds(
            lambda n, links, *a: webfinger(n, links, document(*a[:1], n, *a[1:])),
            numbers, st.lists(link, max_size=3) | values, *doc_args,
        ),
    )  # fmt: skip


def serve(remote: Remote, served: list[Served]) -> None:
    remote.routes.clear()
    for s in served:
        headers = {"Content-Type": s.content_type} if s.content_type else {}
        if s.location is not None and s.status in (301, 302):  # its UTF-8 bytes, as they come
            headers["Location"] = s.location.encode("utf-8", "surrogatepass").decode("latin-1")
        remote.routes[s.path] = respond(s.status, s.body, headers)


@pytest.fixture
def resolving(allow, remote: Remote, only_the_stubs: Network) -> Network:
    """Fetches may reach the stub on loopback, over plain http (it serves no TLS)."""
    allow("127.0.0.0/8", local_https=False)
    only_the_stubs.ports.add(remote.port)
    return only_the_stubs


def test_resolving_hostile_urls_handles_and_documents_is_clean(
    app, client, remote, resolving, quick_passwords
):
    """Search with resolve=true never fails: a 200 with what could be stored, else empty; an
    empty answer stored at most the fetched author (or a status this viewer may not see);
    every connection attempt had passed the address guard."""
    alice = make_local("alice")
    token = token_for(alice, "read write")

    @SURFACE
    @given(scenario=scenarios(remote))
    def check(scenario):
        serve(remote, scenario.served)
        before = row_counts()
        query = hostile.encode_form([("q", scenario.q), ("resolve", "true")]).decode()
        response = client.get(f"/api/v2/search?{query}", headers=bearer(token))
        assert response.status_code < 500, (response.status_code, hostile.last_server_error())
        changes = hostile.changed(before, row_counts())
        if response.status_code >= 400:
            assert_api_error(response)
            assert changes == {}
            return
        found = response.get_json()
        assert set(found) == {"accounts", "statuses", "hashtags"}
        if not found["statuses"] and "statuses" in changes:  # stored, but not for this viewer
            newest = db.session.scalars(select(Status).order_by(Status.id.desc())).first()
            assert newest.visibility in (Visibility.PRIVATE, Visibility.DIRECT), (found, changes)
        elif not (found["accounts"] or found["statuses"]):
            assert set(changes) <= {"accounts"}, changes  # at most a fetched author
        resolving.assert_guarded(app)

    check()
