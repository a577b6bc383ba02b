"""RFC 9421 HTTP Message Signatures on input: parse `Signature-Input` / `Signature` (RFC 8941
structured dictionaries) and build the signature base. Used by fedi/federation/signatures.py,
which owns the checks (digest, time) and the key lookup."""

from __future__ import annotations

import base64
import string
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from fedi.hosts import normalize_host

KEY_CHARS = set(string.ascii_lowercase + string.digits + "_-.*")
TOKEN_CHARS = set(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:/")
NUMBER_CHARS = set(string.digits + "-.")


class SignatureError(Exception):
    """The request is not signed, or not signed well enough to trust it."""


@dataclass
class Parsed:
    """A signature reduced to what verification needs, whichever standard it came from."""

    key_id: str
    algorithm: str
    covered: list[str]
    base: bytes
    signature: bytes
    created: int | None = None
    expires: int | None = None


class Request(NamedTuple):
    method: str
    scheme: str
    path: str  # path and query
    headers: dict[str, str]  # lowercase names
    body: bytes


class Member(NamedTuple):
    value: object  # str, int, bytes, bool or list of (str, params) for an inner list
    params: dict[str, object]
    raw: str  # the member's text after `label=`


def parse(request: Request) -> Parsed:
    """The first signature whose label appears in both headers."""
    inputs = parse_dictionary(request.headers["signature-input"])
    signatures = parse_dictionary(request.headers["signature"])
    label = next((name for name in inputs if name in signatures), None)
    if label is None:
        raise SignatureError("Missing signature")
    spec, sig = inputs[label], signatures[label].value
    if not isinstance(spec.value, list) or not isinstance(sig, bytes):
        raise SignatureError("Malformed Signature-Input")
    keyid = spec.params.get("keyid")
    if not isinstance(keyid, str) or not keyid:
        raise SignatureError("Signature has no keyid")
    covered = [_component_name(item) for item in spec.value]
    _require(covered, spec.params)
    lines = [f'"{name}": {_component(name, request)}' for name in covered]
    lines.append(f'"@signature-params": {spec.raw}')
    return Parsed(
        key_id=keyid,
        algorithm=str(spec.params.get("alg") or "hs2019").lower(),
        covered=covered,
        base="\n".join(lines).encode(),
        signature=sig,
        created=_int(spec.params.get("created")),
        expires=_int(spec.params.get("expires")),
    )


def _component_name(item: object) -> str:
    name, params = item  # type: ignore[misc]
    if not isinstance(name, str) or params:
        raise SignatureError("Unsupported signature component")
    return name.lower()


def _require(covered: list[str], params: dict[str, object]) -> None:
    if "@method" not in covered:
        raise SignatureError("Signed components must include @method")
    has_target = "@target-uri" in covered or (
        ("@authority" in covered or "host" in covered)
        and ("@request-target" in covered or "@path" in covered)
    )
    if not has_target:
        raise SignatureError("Signed components must include @target-uri")
    if "date" not in covered and params.get("created") is None:
        raise SignatureError("Signature must cover date or have a created time")


def _component(name: str, request: Request) -> str:
    parts = urlsplit(request.path)
    host = normalize_host(request.headers.get("host", ""))
    derived = {
        "@method": request.method.upper(),
        "@scheme": request.scheme.lower(),
        "@authority": host,
        "@target-uri": f"{request.scheme.lower()}://{host}{request.path}",
        "@request-target": request.path,
        "@path": parts.path or "/",
        "@query": f"?{parts.query}",
    }
    if name in derived:
        return derived[name]
    if name.startswith("@"):
        raise SignatureError(f"Unsupported signature component {name}")
    if name not in request.headers:
        raise SignatureError(f"Signed header {name} is missing")
    return request.headers[name].strip()


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- RFC 8941 dictionaries -------------------------------------------------------------------


def parse_dictionary(text: str) -> dict[str, Member]:
    parser = _Parser(text)
    members: dict[str, Member] = {}
    parser.skip(" ")
    while not parser.done():
        key = parser.key()
        if parser.peek() != "=":
            value, params, raw = True, parser.params(), ""
        else:
            parser.pos += 1
            start = parser.pos
            value = parser.item_or_list()
            params = parser.params()
            raw = text[start : parser.pos]
        members[key] = Member(value, params, raw)
        parser.skip(" \t")
        if parser.done():
            break
        parser.expect(",")
        parser.skip(" \t")
    return members


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text.strip(), 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if not self.done() else ""

    def skip(self, chars: str) -> None:
        while not self.done() and self.text[self.pos] in chars:
            self.pos += 1

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise SignatureError("Malformed signature header")
        self.pos += 1

    def key(self) -> str:
        start = self.pos
        while not self.done() and self.text[self.pos] in KEY_CHARS:
            self.pos += 1
        if start == self.pos:
            raise SignatureError("Malformed signature header")
        return self.text[start : self.pos]

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            name = self.key()
            if self.peek() == "=":
                self.pos += 1
                params[name] = self.bare_item()
            else:
                params[name] = True
        return params

    def item_or_list(self) -> object:
        if self.peek() != "(":
            return self.bare_item()
        self.pos += 1
        items: list[tuple[object, dict[str, object]]] = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return items
            if self.done():
                raise SignatureError("Malformed signature header")
            items.append((self.bare_item(), self.params()))

    def bare_item(self) -> object:
        char = self.peek()
        if char == '"':
            return self.string()
        if char == ":":
            end = self.text.find(":", self.pos + 1)
            if end < 0:
                raise SignatureError("Malformed signature header")
            raw, self.pos = self.text[self.pos + 1 : end], end + 1
            try:
                return base64.b64decode(raw, validate=True)
            except ValueError as exc:
                raise SignatureError("Invalid base64 in signature") from exc
        if char == "?":
            self.pos += 2
            return self.text[self.pos - 1] == "1"
        return self.token_or_number()

    def string(self) -> str:
        self.pos += 1
        out: list[str] = []
        while not self.done():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                out.append(self.text[self.pos : self.pos + 1])
                self.pos += 1
            elif char == '"':
                return "".join(out)
            else:
                out.append(char)
        raise SignatureError("Malformed signature header")

    def token_or_number(self) -> object:
        start = self.pos
        allowed = NUMBER_CHARS if self.peek() in NUMBER_CHARS else TOKEN_CHARS
        while not self.done() and self.text[self.pos] in allowed:
            self.pos += 1
        raw = self.text[start : self.pos]
        if not raw:
            raise SignatureError("Malformed signature header")
        if allowed is not NUMBER_CHARS:
            return raw
        try:
            return float(raw) if "." in raw else int(raw)
        except ValueError as exc:
            raise SignatureError("Malformed signature header") from exc
