"""Hypothesis strategies for what a hostile client or server sends: JSON values of every wrong
type, odd text (NUL, lone surrogates, bidirectional overrides), huge strings, nesting past any
limit, bodies that are not what their Content-Type says, Rails-style form keys, and URLs and
handles with odd schemes, ports, IPv6 zones, IDNA, numeric hosts and credentials.

A body is a `Body`: the bytes and the headers to send them with, so a test can send any of them
the same way. `changed` compares two snapshots of tests.helpers.row_counts, and
`last_server_error` tells what a request that answered 500 raised."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field

from flask import got_request_exception
from hypothesis import strategies as st

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",  # right-to-left override
    "\u2066x\u2069",  # isolates
    "\ufeff",
    "\u200b\u200d",
    "e\u0301\u0301\u0301",
    "\U0001f600",
    "\ud800",  # lone surrogates: escaped in JSON, invalid UTF-8 in a form
    "x\udfff",
    "<script>alert(1)</script>",
    "'; DROP TABLE statuses; --",
    "%00",
    "%",
    "\r\n\r\n",
    "null",
    "true",
    "-1",
    "1e999",
    "9" * 40,
    "0x10",
    "💥" * 10,
    "#tag @alice @alice@wren.test @x@y:99999 https://example.com",
    "Public",
]

# Keys Mastodon's write endpoints read, so the generated bodies reach the code behind them
# (the test adds the keys its endpoint's own module names).
COMMON_KEYS = [
    "status", "spoiler_text", "visibility", "sensitive", "language", "media_ids",
    "in_reply_to_id", "scheduled_at", "poll", "poll[options][]", "poll[expires_in]",
    "client_name", "redirect_uris", "scopes", "website", "display_name", "note", "avatar",
    "header", "locked", "bot", "discoverable", "fields_attributes",
    "fields_attributes[0][name]", "source[privacy]", "source", "title", "replies_policy",
    "exclusive", "account_ids", "account_ids[]", "account_id", "status_ids", "comment",
    "forward", "category", "rule_ids", "file", "thumbnail", "description", "focus",
    "subscription", "subscription[endpoint]", "subscription[keys][p256dh]",
    "subscription[keys][auth]", "data", "data[alerts][mention]", "policy", "home", "notifications",
    "home[last_read_id]", "domain", "name", "reblogs", "notify", "languages", "id", "ids",
    "ids[]", "comment", "username", "email", "password", "agreement", "locale", "reason",
    "filter_not_following", "for_not_following", "visibility", "limit",
]  # fmt: skip

MAX_INT = 2**63 - 1

integers = st.sampled_from([0, -1, 1, MAX_INT, MAX_INT + 1, -(2**63) - 1, 2**64, 10**30]) | (
    st.integers(-(2**70), 2**70)
)
floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([0.5, -0.0, 1e308])
odd_text = st.sampled_from(ODD_TEXT) | st.text(max_size=24)


def _long(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


HUGE_PIECES = ["a", "€", "\x00", "<p>", "@a ", "#t ", "\u202e", "https://x.example/ "]
huge_text = st.builds(_long, st.sampled_from(HUGE_PIECES), st.sampled_from([501, 5_001, 100_001]))
long_text = st.builds(_long, st.sampled_from(HUGE_PIECES), st.sampled_from([501, 5_001]))
scalars = st.none() | st.booleans() | integers | floats | odd_text
json_values = st.recursive(
    scalars | huge_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


def nested(levels: int, kind: str) -> object:
    value: object = "x"
    for _ in range(levels):
        value = [value] if kind == "list" else {"a": value}
    return value


deep_values = st.builds(
    nested, st.sampled_from([63, 64, 65, 200, 900]), st.sampled_from(["list", "dict"])
)


@dataclass
class Body:
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""
    label: str = ""

    def __repr__(self) -> str:  # keeps hypothesis' failure reports readable
        shown = self.data[:300] + (b"..." if len(self.data) > 300 else b"")
        return f"Body({self.label}, {shown!r}, {self.headers}, query={self.query[:200]!r})"


def json_bytes(value: object) -> bytes:
    """JSON as a client could send it: lone surrogates become \\ud800 escapes, deep nesting is
    written without recursing."""
    if isinstance(value, (list, dict)) and _depth(value) > 100:
        return _deep_dumps(value)
    return json.dumps(value, ensure_ascii=True).encode()


def _depth(value: object) -> int:
    depth = 0
    while isinstance(value, (list, dict)) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
        depth += 1
    return depth


def _deep_dumps(value: object) -> bytes:
    opened: list[bytes] = []
    out: list[bytes] = []
    while isinstance(value, (list, dict)) and value:
        if isinstance(value, list):
            out.append(b"[")
            opened.append(b"]")
            value = value[0]
        else:
            key, value = next(iter(value.items()))
            out.append(b"{" + json.dumps(key).encode() + b":")
            opened.append(b"}")
    out.append(json.dumps(value).encode())
    return b"".join(out) + b"".join(reversed(opened))


def _form_key(keys: list[str]) -> st.SearchStrategy[str]:
    base = st.sampled_from(keys)
    return st.one_of(
        base,
        base.map(lambda k: k + "[]"),
        st.builds(lambda k, s: f"{k}[{s}]", base, st.sampled_from(["0", "1", "a", "", "]", "[]"])),
        st.builds(lambda k, s: f"{k}[][{s}]", base, st.sampled_from(["name", "x", ""])),
        st.sampled_from(["[]", "[", "]", "a[b]c[d]", "k[[x]]", "k]]", "=", "&", "\x00", "%ff"]),
    )


def _percent(text: str) -> str:
    """Every byte as %XX (at C speed: huge values are common here); lone surrogates become
    the invalid UTF-8 a careless client would send."""
    data = text.encode("utf-8", "surrogatepass")
    return "%" + data.hex("%") if data else ""


def encode_form(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{_percent(k)}={_percent(v)}" for k, v in pairs).encode()


form_text = odd_text | long_text | st.sampled_from(["1", "0", "true", "false", "[]", "{}"])

RAW_BODIES = [
    b"",
    b"{",
    b"}",
    b"[",
    b"null",
    b"true",
    b"1",
    b'"a string"',
    b"[1, 2]",
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"a": 1,}',
    b"{'single': 1}",
    b'{"a": "\\ud800"}',
    b'{"a": "\\u0000"}',
    b'{"status": "x", "status": ["y"]}',
    b"\xff\xfe{\x00}\x00",
    b"\xef\xbb\xbf{}",
    b"\x00" * 64,
    b'{"a": 1e99999}',
    b'{"a": 123456789012345678901234567890}',
    b"<xml/>",
    b"a=1&a[]=2&a[b]=3",
    b"[" * 100_000,
]

CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-16",
    "application/json; charset=nonsense",
    "application/activity+json",
    "application/ld+json",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "text/plain",
    "application/octet-stream",
    "",
    "*/*",
    "application/json\x00",
]


NUL_TEXT = st.sampled_from(["\x00", "a\x00b", "ok\x00", "\x00" * 40, "%00", "\ud800", "ok\udfff"])
wrong_types = (
    st.none()
    | st.booleans()
    | integers
    | floats
    | st.lists(scalars, max_size=3)
    | st.dictionaries(odd_text, scalars, max_size=3)
)


PLAUSIBLE = [
    "ok", "Hello @bob #tag", "public", "private", "direct", "unlisted", "en", "1", "true", "0",
    "urn:ietf:wg:oauth:2.0:oob", "https://client.example/callback", "read write", "example.com",
    "spam", "follow_request", "all", "list", "2030-01-01T00:00:00Z", "0.5,-0.5", "300",
]  # fmt: skip
CLASSIC = [
    None, True, False, 0, -1, 2**63, 10**30, 1.5, "", [], [1], [None], ["a", 2], {}, {"a": 1},
    {"id": "1"}, "a\x00b", "\ud800", "x" * 100_001,
]  # fmt: skip


def values(keys: list[str], plausible: list[str]) -> st.SearchStrategy[object]:
    """A parameter's value: the classic wrong types, something plausible (so validation gets
    past it to the next field), NUL or a lone surrogate, odd or huge text, nesting of the
    endpoint's own keys (for `poll[...]`, `subscription[keys][...]`), or deep nesting."""
    fine = st.sampled_from(plausible + PLAUSIBLE)
    hostile = st.sampled_from(CLASSIC) | wrong_types | NUL_TEXT | odd_text | st.sampled_from(HOSTS)
    plain = fine | hostile
    shaped = st.fixed_dictionaries({}, optional=dict.fromkeys(keys, plain)) | st.lists(
        plain, max_size=3
    )
    return st.one_of(fine, fine, hostile, hostile, shaped, huge_text, deep_values, json_values)


def api_bodies(keys: list[str], plausible: list[str]) -> st.SearchStrategy[Body]:
    """Bodies for an API write endpoint reading `keys`; `plausible` values (real ids, "ok")."""
    value = values(keys, plausible)
    as_json = st.builds(
        lambda d: Body(json_bytes(d), {"Content-Type": "application/json"}, label="json"),
        st.fixed_dictionaries({}, optional=dict.fromkeys(keys, value)),
    )
    with_extra = st.builds(
        lambda d, k, v: Body(
            json_bytes({**d, k: v}), {"Content-Type": "application/json"}, label="json"
        ),
        st.fixed_dictionaries({}, optional=dict.fromkeys(keys, value)),
        odd_text,
        value,
    )
    as_json_other = st.builds(
        lambda v: Body(json_bytes(v), {"Content-Type": "application/json"}, label="json-value"),
        json_values | deep_values,
    )
    form_value = st.sampled_from(plausible) | NUL_TEXT | form_text
    as_form = st.builds(
        lambda pairs: Body(
            encode_form(pairs),
            {"Content-Type": "application/x-www-form-urlencoded"},
            label="form",
        ),
        st.lists(st.tuples(_form_key(keys), form_value), min_size=1, max_size=8),
    )
    as_query = st.builds(
        lambda pairs: Body(query=encode_form(pairs).decode(), label="query"),
        st.lists(
            st.tuples(_form_key(keys), st.sampled_from(plausible) | NUL_TEXT | odd_text),
            min_size=1,
            max_size=6,
        ),
    )
    as_multipart = st.builds(
        _multipart, st.lists(st.tuples(_form_key(keys), form_value), max_size=5), st.booleans()
    )
    raw = st.builds(
        lambda data, ctype: Body(data, {"Content-Type": ctype} if ctype else {}, label="raw"),
        st.sampled_from(RAW_BODIES),
        st.sampled_from(CONTENT_TYPES),
    )
    mislabelled = st.builds(
        lambda body, ctype: Body(body.data, {"Content-Type": ctype}, label="mislabelled"),
        as_json | as_form,
        st.sampled_from(CONTENT_TYPES),
    )
    return st.one_of(
        as_json, as_json, as_json, with_extra, as_form, as_form, as_query, as_multipart, raw,
        mislabelled, as_json_other,
    )  # fmt: skip


def _multipart(pairs: list[tuple[str, str]], with_file: bool) -> Body:
    boundary = "wrenboundary"
    parts = []
    for key, value in pairs:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode(
                "utf-8", "surrogatepass"
            )
            + value.encode("utf-8", "surrogatepass")
            + b"\r\n"
        )
    if with_file:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x\x00.png"\r\n'
            "Content-Type: image/png\r\n\r\n".encode()
            + b"\x89PNG\r\n\x1a\n"
            + b"\x00" * 32
            + b"\r\n"
        )
    data = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return Body(
        data, {"Content-Type": f"multipart/form-data; boundary={boundary}"}, label="multipart"
    )


# --- URLs and handles ------------------------------------------------------------------------

HOSTS = [
    "example.com",
    "EXAMPLE.com.",
    "localhost",
    "127.0.0.1",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "0x7f000001",
    "2130706433",
    "127.1",
    "0",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[fe80::1%25eth0]",
    "[fe80::1%eth0]",
    "[::]",
    "[64:ff9b::7f00:1]",
    "[2001:db8::1]",
    "[zzzz]",
    "[",
    "10.0.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "xn--bcher-kva.example",
    "bücher.example",
    "xn--.example",
    "xn--zz.example",
    "\u0430pple.example",
    "exa\u200bmple.com",
    "a..b",
    ".",
    "-a-.example",
    "a" * 64 + ".example",
    ("a" * 63 + ".") * 5 + "example",
    "h" * 5000 + ".example",
    "user:pass@example.com",
    "@example.com",
    "example.com\x00.evil",
    "example.com%00",
    "example.com\\@evil.example",
    "é.例え.テスト",
    "wren.test",
]
PORTS = [
    "",
    ":",
    ":0",
    ":1",
    ":80",
    ":443",
    ":65535",
    ":65536",
    ":99999999999",
    ":-1",
    ":a",
    ":\uff18\uff10",
]
SCHEMES = [
    "https", "https", "https", "http", "http", "HTTPS", "ftp", "file", "javascript", "data",
    "gopher", "ws", "acct", "",
]  # fmt: skip
PATHS = [
    "/",
    "/users/x",
    "/@x",
    "/../../etc/passwd",
    "/%2e%2e/",
    "/a?b=c#d",
    "/\x00",
    "/" + "p" * 3000,
    "",
]


def _url(scheme: str, userinfo: str, host: str, port: str, path: str) -> str:
    lead = f"{scheme}://" if scheme else "//"
    return f"{lead}{userinfo}{host}{port}{path}"


urls = st.builds(
    _url,
    st.sampled_from(SCHEMES),
    st.sampled_from(["", "user@", "user:pass@", "@", "a@b@"]),
    st.sampled_from(HOSTS),
    st.sampled_from(PORTS),
    st.sampled_from(PATHS),
)
handles = st.builds(
    lambda lead, user, host, port: f"{lead}{user}@{host}{port}",
    st.sampled_from(["", "@", "acct:", "@@"]),
    st.sampled_from(["alice", "x", "", "a" * 300, "a.b", "-", "\u202e", "a\x00", "ü", "a@b"]),
    st.sampled_from(HOSTS),
    st.sampled_from(PORTS),
)
queries = urls | handles | odd_text | huge_text


# --- what went wrong on the server ------------------------------------------------------------

_server_errors: list[BaseException] = []


@got_request_exception.connect
def _record(sender, exception: BaseException, **extra) -> None:
    _server_errors.append(exception)
    del _server_errors[:-1]


def last_server_error() -> str:
    """The last exception a request raised (type, message, where), for a failure's message."""
    if not _server_errors:
        return "no exception recorded"
    exc = _server_errors[-1]
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{exc.__class__.__name__}: {str(exc)[:300]} at {frame.filename}:{frame.lineno}"


# --- nothing written ---------------------------------------------------------------------------


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}
