"""HTTP Signatures. Outbound: draft-cavage-http-signatures-12 with rsa-sha256, as Mastodon signs.
Inbound: draft-cavage (`rsa-sha256`, `hs2019` meaning "derive from the key") and RFC 9421
(`rsa-v1_5-sha256`, `rsa-pss-sha512`, `ed25519`), with Digest / Content-Digest checked against
the body and the Date (or `created`) within 12 hours of now."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from fedi.federation import rfc9421
from fedi.federation.rfc9421 import SignatureError
from fedi.hosts import normalize_host

__all__ = ["SignatureError", "load_public_key", "require_signer", "sign_headers", "verify_request"]

MAX_SKEW = 12 * 3600
DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}

KeyLookup = Callable[[str, bool], str | None]


# -- signing ---------------------------------------------------------------------------------


def sign_headers(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key_pem: str,
    headers: dict | None = None,
) -> dict[str, str]:
    """`headers` plus Host, Date, Digest (when there is a body) and a draft-cavage Signature."""
    out = dict(headers or {})
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    out["Host"] = normalize_host(url)
    out["Date"] = formatdate(usegmt=True)
    values = {"(request-target)": f"{method.lower()} {target}", "host": out["Host"]}
    values["date"] = out["Date"]
    if body is not None:
        out["Digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        values["digest"] = out["Digest"]
    signed = "\n".join(f"{name}: {value}" for name, value in values.items())
    key = _private_key(private_key_pem)
    signature = key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    out["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(values)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return out


@lru_cache(maxsize=256)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureError("Only RSA keys can sign")
    return key


@lru_cache(maxsize=4096)
def load_public_key(pem: str):
    try:
        return serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise SignatureError("Unreadable public key") from exc


# -- verifying -------------------------------------------------------------------------------


def verify_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None,
    get_public_key: KeyLookup,
    scheme: str = "https",
) -> str:
    """Check the request's signature; return the verified keyId or raise SignatureError.
    `path` includes the query string. `scheme` only matters for RFC 9421 `@target-uri`."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    path = path[:-1] if path.endswith("?") else path
    body = body or b""
    if "signature-input" in lowered and "signature" in lowered:
        request = rfc9421.Request(method.upper(), scheme, path, lowered, body)
        parsed = rfc9421.parse(request)
        check_digest(lowered, body, method, parsed.covered)
        check_time(lowered, parsed.created, parsed.expires, parsed.covered)
    else:
        parsed = _parse_cavage(method, path, lowered)
        check_digest(lowered, body, method, parsed.covered)
        check_time(lowered, parsed.created, parsed.expires, parsed.covered)
    _verify_with_rotation(parsed, get_public_key)
    return parsed.key_id


def _parse_cavage(method: str, path: str, headers: dict[str, str]) -> rfc9421.Parsed:
    raw = headers.get("signature") or ""
    if not raw and headers.get("authorization", "").lower().startswith("signature "):
        raw = headers["authorization"][len("signature ") :]
    if not raw:
        raise SignatureError("Missing signature")
    params = _cavage_params(raw)
    for name in ("keyid", "signature"):
        if not params.get(name):
            raise SignatureError(f"Signature has no {name}")
    covered = (params.get("headers") or "date").lower().split()
    for name in ("(request-target)", "host"):
        if name not in covered:
            raise SignatureError(f"Signed headers must include {name}")
    if "date" not in covered and "(created)" not in covered:
        raise SignatureError("Signed headers must include date or (created)")
    lines = [f"{name}: {_cavage_value(name, method, path, headers, params)}" for name in covered]
    return rfc9421.Parsed(
        key_id=params["keyid"],
        algorithm=params.get("algorithm", "hs2019").lower(),
        covered=covered,
        base=("\n".join(lines)).encode(),
        signature=_b64(params["signature"]),
        created=_int_or_none(params.get("created")),
        expires=_int_or_none(params.get("expires")),
    )


# name="quoted value" or name=bare-value, comma-separated (keyIds may hold commas only quoted)
_PARAM = re.compile(r'\s*([^\s=,]+)\s*=\s*(?:"([^"]*)"|([^,]*))\s*(?:,|$)')


def _cavage_params(raw: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _PARAM.finditer(raw):
        name, quoted, bare = match.groups()
        params[name.lower()] = quoted if quoted is not None else bare.strip().strip('"')
    return params


def _cavage_value(name: str, method: str, path: str, headers: dict, params: dict) -> str:
    if name == "(request-target)":
        return f"{method.lower()} {path}"
    if name in ("(created)", "(expires)"):
        value = params.get(name[1:-1])
        if value is None:
            raise SignatureError(f"Signature has no {name[1:-1]} parameter")
        return value
    if name not in headers:
        raise SignatureError(f"Signed header {name} is missing")
    return headers[name].strip()


def check_digest(headers: dict[str, str], body: bytes, method: str, covered: list[str]) -> None:
    """A request with a body must sign a Digest (or Content-Digest) that matches the body."""
    needs = bool(body) or method.upper() == "POST"
    signed = [name for name in ("digest", "content-digest") if name in covered]
    if not needs and not signed:
        return
    if not signed:
        raise SignatureError("Signed headers must include digest")
    for name in signed:
        if name not in headers:
            raise SignatureError(f"Signed header {name} is missing")
        _match_digest(headers[name], body, structured=name == "content-digest")


def _match_digest(value: str, body: bytes, *, structured: bool) -> None:
    checked = False
    for item in value.split(","):
        algorithm, sep, encoded = item.strip().partition("=")
        hasher = DIGESTS.get(algorithm.strip().lower())
        if not sep or hasher is None:
            continue
        encoded = encoded.strip().strip(":") if structured else encoded.strip()
        if _b64(encoded) != hasher(body).digest():
            raise SignatureError("Digest mismatch")
        checked = True
    if not checked:
        raise SignatureError("Unsupported digest algorithm")


def check_time(
    headers: dict[str, str], created: int | None, expires: int | None, covered: list[str]
) -> None:
    now = time.time()
    if expires is not None and expires < now:
        raise SignatureError("Signature expired")
    if created is not None:
        if created > now + MAX_SKEW:
            raise SignatureError("Signature created in the future")
        if created < now - MAX_SKEW:
            raise SignatureError("Signature expired")
    if "date" in covered:
        try:
            when = parsedate_to_datetime(headers.get("date", "")).timestamp()
        except (TypeError, ValueError, IndexError) as exc:
            raise SignatureError("Invalid Date header") from exc
        if when > now + MAX_SKEW:
            raise SignatureError("Date is in the future")
        if when < now - MAX_SKEW:
            raise SignatureError("Signature expired")


def _verify_with_rotation(parsed: rfc9421.Parsed, get_public_key: KeyLookup) -> None:
    pem = get_public_key(parsed.key_id, False)
    if pem and _verifies(parsed, pem):
        return
    fresh = get_public_key(parsed.key_id, True)
    if not pem and not fresh:
        raise SignatureError("Unknown signing key")
    if fresh and fresh != pem and _verifies(parsed, fresh):
        return
    raise SignatureError("Signature verification failed")


def _verifies(parsed: rfc9421.Parsed, pem: str) -> bool:
    key = load_public_key(pem)
    algorithm = parsed.algorithm
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            if algorithm not in ("hs2019", "ed25519"):
                return False
            key.verify(parsed.signature, parsed.base)
            return True
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        return _verify_rsa(key, algorithm, parsed.signature, parsed.base)
    except InvalidSignature:
        return False


def _verify_rsa(key: rsa.RSAPublicKey, algorithm: str, signature: bytes, base: bytes) -> bool:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
    schemes = {
        "rsa-sha256": [(padding.PKCS1v15(), hashes.SHA256())],
        "rsa-v1_5-sha256": [(padding.PKCS1v15(), hashes.SHA256())],
        "rsa-sha512": [(padding.PKCS1v15(), hashes.SHA512())],
        "rsa-pss-sha512": [(pss, hashes.SHA512())],
        # hs2019: the key decides; in practice RSA keys sign PKCS#1 v1.5 SHA-256.
        "hs2019": [(padding.PKCS1v15(), hashes.SHA256()), (pss, hashes.SHA512())],
    }
    if algorithm not in schemes:
        raise SignatureError(f"Unsupported algorithm {algorithm}")
    for pad, digest in schemes[algorithm]:
        try:
            key.verify(signature, base, pad, digest)
            return True
        except InvalidSignature:
            continue
    return False


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise SignatureError("Invalid base64 in signature or digest") from exc


def _int_or_none(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except ValueError as exc:
        raise SignatureError("Invalid signature timestamp") from exc


def require_signer(signer_uri: str, actor_uri: str) -> None:
    """The verified signer (the key owner's actor URI) must be the activity's actor."""
    if not signer_uri or _same_uri(signer_uri) != _same_uri(actor_uri):
        raise SignatureError("Signer not allowed")


def _same_uri(uri: str) -> str:
    """A URI compared with its host normalised and without fragment."""
    parts = urlsplit((uri or "").strip())
    host = normalize_host(f"{parts.scheme}://{parts.netloc}") if parts.netloc else ""
    return f"{parts.scheme.lower()}://{host}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )
