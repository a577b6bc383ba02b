"""HTTP Signatures: what we sign verifies, what Mastodon and RFC 9421 senders sign verifies, and
everything stale, altered or incomplete is refused with a clear reason."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from email.utils import formatdate

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from fedi.federation.signatures import (
    SignatureError,
    require_signer,
    sign_headers,
    verify_request,
)

KEY_ID = "https://remote.example/users/bob#main-key"
INBOX = "https://wren.test/users/alice/inbox"
BODY = b'{"type":"Follow","actor":"https://remote.example/users/bob"}'


def _pems(key) -> tuple[str, str]:
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pems(rsa_key):
    return _pems(rsa_key)


def keys_returning(*answers: str | None):
    """A get_public_key that answers in turn (the last answer repeats) and records its calls."""
    calls: list[tuple[str, bool]] = []

    def lookup(key_id: str, refresh: bool) -> str | None:
        calls.append((key_id, refresh))
        return answers[min(len(calls), len(answers)) - 1]

    lookup.calls = calls  # type: ignore[attr-defined]
    return lookup


def verify(headers: dict, public_pem: str, *, body: bytes | None = BODY, method="POST", **kw):
    return verify_request(
        method=method,
        path=kw.pop("path", "/users/alice/inbox"),
        headers=headers,
        body=body,
        get_public_key=kw.pop("lookup", keys_returning(public_pem)),
        **kw,
    )


def mastodon_post(key, *, date: str | None = None, body: bytes = BODY, headers=None) -> dict:
    """A POST signed the way Mastodon's Request class signs it, built by hand."""
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    values = {
        "(request-target)": "post /users/alice/inbox",
        "host": "wren.test",
        "date": date or formatdate(usegmt=True),
        "digest": digest,
        "content-type": "application/activity+json",
    }
    names = headers or list(values)
    signed = "\n".join(f"{name}: {values[name]}" for name in names).encode()
    signature = base64.b64encode(key.sign(signed, padding.PKCS1v15(), hashes.SHA256())).decode()
    return {
        "Host": values["host"],
        "Date": values["date"],
        "Digest": digest,
        "Content-Type": values["content-type"],
        "Signature": f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{signature}"',
    }


def test_sign_then_verify_round_trip(pems):
    private, public = pems
    headers = sign_headers(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key_pem=private
    )
    assert headers["Host"] == "wren.test"
    assert headers["Digest"].startswith("SHA-256=")
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    assert verify(headers, public) == KEY_ID


def test_signed_get_covers_no_digest(pems):
    private, public = pems
    url = "https://wren.test/users/alice?page=1"
    headers = sign_headers(method="GET", url=url, body=None, key_id=KEY_ID, private_key_pem=private)
    assert "Digest" not in headers
    assert 'headers="(request-target) host date"' in headers["Signature"]
    got = verify(headers, public, body=None, method="GET", path="/users/alice?page=1")
    assert got == KEY_ID


def test_mastodon_shaped_request_verifies(rsa_key, pems):
    assert verify(mastodon_post(rsa_key), pems[1]) == KEY_ID


def test_hs2019_is_accepted(rsa_key, pems):
    headers = mastodon_post(rsa_key)
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hs2019")
    assert verify(headers, pems[1]) == KEY_ID


def test_missing_signature(pems):
    with pytest.raises(SignatureError, match="Missing signature"):
        verify({"Host": "wren.test", "Date": formatdate(usegmt=True)}, pems[1])


def test_stale_date(rsa_key, pems):
    with pytest.raises(SignatureError, match="expired"):
        verify(
            mastodon_post(rsa_key, date=formatdate(time.time() - 13 * 3600, usegmt=True)), pems[1]
        )


def test_future_date(rsa_key, pems):
    with pytest.raises(SignatureError, match="future"):
        verify(
            mastodon_post(rsa_key, date=formatdate(time.time() + 13 * 3600, usegmt=True)), pems[1]
        )


def test_wrong_digest(rsa_key, pems):
    headers = mastodon_post(rsa_key, body=b'{"type":"Delete"}')
    with pytest.raises(SignatureError, match="Digest mismatch"):
        verify(headers, pems[1])


def test_body_changed(pems):
    private, public = pems
    headers = sign_headers(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key_pem=private
    )
    with pytest.raises(SignatureError, match="Digest mismatch"):
        verify(headers, public, body=BODY + b" ")


@pytest.mark.parametrize("missing", ["digest", "host", "(request-target)"])
def test_headers_list_must_cover(rsa_key, pems, missing):
    names = [n for n in ["(request-target)", "host", "date", "digest"] if n != missing]
    with pytest.raises(SignatureError, match=re.escape(f"must include {missing}")):
        verify(mastodon_post(rsa_key, headers=names), pems[1])


def test_wrong_key(rsa_key, other_key):
    with pytest.raises(SignatureError, match="verification failed"):
        verify(mastodon_post(rsa_key), _pems(other_key)[1])


def test_unknown_key(rsa_key):
    lookup = keys_returning(None)
    with pytest.raises(SignatureError, match="Unknown signing key"):
        verify(mastodon_post(rsa_key), "", lookup=lookup)
    assert lookup.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_key_rotation_refetches_once(rsa_key, other_key, pems):
    lookup = keys_returning(_pems(other_key)[1], pems[1])
    assert verify(mastodon_post(rsa_key), "", lookup=lookup) == KEY_ID
    assert lookup.calls == [(KEY_ID, False), (KEY_ID, True)]


def test_tampered_header_value(pems):
    private, public = pems
    headers = sign_headers(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key_pem=private
    )
    headers["Host"] = "evil.example"
    with pytest.raises(SignatureError, match="verification failed"):
        verify(headers, public)


# -- RFC 9421 --------------------------------------------------------------------------------


def rfc9421_post(key, alg: str, *, body: bytes = BODY, created: int | None = None) -> dict:
    """A POST signed per RFC 9421 (covered: @method @target-uri content-digest date)."""
    digest = f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"
    date = formatdate(usegmt=True)
    created = int(time.time()) if created is None else created
    params = (
        '("@method" "@target-uri" "content-digest" "date")'
        f';created={created};keyid="{KEY_ID}";alg="{alg}"'
    )
    base = "\n".join(
        [
            '"@method": POST',
            f'"@target-uri": {INBOX}',
            f'"content-digest": {digest}',
            f'"date": {date}',
            f'"@signature-params": {params}',
        ]
    ).encode()
    if alg == "ed25519":
        signature = key.sign(base)
    elif alg == "rsa-pss-sha512":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
        signature = key.sign(base, pss, hashes.SHA512())
    else:
        signature = key.sign(base, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Host": "wren.test",
        "Date": date,
        "Content-Digest": digest,
        "Signature-Input": f"sig1={params}",
        "Signature": f"sig1=:{base64.b64encode(signature).decode()}:",
    }


@pytest.mark.parametrize("alg", ["rsa-v1_5-sha256", "rsa-pss-sha512"])
def test_rfc9421_rsa_verifies(rsa_key, pems, alg):
    assert verify(rfc9421_post(rsa_key, alg), pems[1]) == KEY_ID


def test_rfc9421_ed25519_verifies():
    key = ed25519.Ed25519PrivateKey.generate()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert verify(rfc9421_post(key, "ed25519"), public) == KEY_ID


def test_rfc9421_rejects_changed_body(rsa_key, pems):
    headers = rfc9421_post(rsa_key, "rsa-v1_5-sha256")
    with pytest.raises(SignatureError, match="Digest mismatch"):
        verify(headers, pems[1], body=b"{}")


def test_rfc9421_rejects_old_created(rsa_key, pems):
    headers = rfc9421_post(rsa_key, "rsa-v1_5-sha256", created=int(time.time()) - 13 * 3600)
    with pytest.raises(SignatureError, match="expired"):
        verify(headers, pems[1])


def test_rfc9421_rejects_other_target(rsa_key, pems):
    headers = rfc9421_post(rsa_key, "rsa-v1_5-sha256")
    with pytest.raises(SignatureError, match="verification failed"):
        verify(headers, pems[1], path="/inbox")


def test_signer_must_be_the_actor():
    require_signer("https://Remote.Example./users/bob", "https://remote.example/users/bob")
    with pytest.raises(SignatureError, match="Signer not allowed"):
        require_signer("https://remote.example/users/bob", "https://remote.example/users/eve")
    with pytest.raises(SignatureError, match="Signer not allowed"):
        require_signer("https://evil.example/users/bob", "https://remote.example/users/bob")
