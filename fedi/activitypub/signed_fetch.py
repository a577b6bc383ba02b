"""Who signed a GET: the verified actor of an HTTP signature, and the AUTHORIZED_FETCH gate.

Verification uses `fedi.federation.signatures.verify_request` with the key cache of
`fedi.federation.resolve.public_key_for`; until both modules exist no request is treated as
signed (private objects stay hidden, and authorized fetch cannot be enforced).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, request
from sqlalchemy import or_, select

from fedi.extensions import db
from fedi.models import Account

log = logging.getLogger(__name__)
_UNSET = object()
_ENV_KEY = "fedi.signer"  # per request (an app context may outlive many requests)


def _verifier() -> tuple[Callable[..., str], Callable[[str, bool], str | None]] | None:
    try:
        signatures = importlib.import_module("fedi.federation.signatures")
        resolve = importlib.import_module("fedi.federation.resolve")
        return signatures.verify_request, resolve.public_key_for
    except (ImportError, AttributeError):
        return None


def verification_available() -> bool:
    return _verifier() is not None


def _has_signature() -> bool:
    return "Signature" in request.headers or "Signature-Input" in request.headers


def _account_for_key(key_id: str) -> Account | None:
    owner = key_id.split("#", 1)[0]
    return db.session.scalar(
        select(Account).where(or_(Account.public_key_id == key_id, Account.uri == owner)).limit(1)
    )


def _verify() -> Account | None:
    found = _verifier()
    if found is None or not _has_signature():
        return None
    verify_request, public_key_for = found
    path = request.full_path if request.query_string else request.path
    try:
        key_id = verify_request(
            method=request.method,
            path=path,
            headers=dict(request.headers),
            body=None,
            get_public_key=public_key_for,
            scheme=current_app.config["FEDI"].scheme,
        )
    except Exception as exc:  # SignatureError, or a key that could not be fetched
        log.info("unverified signed GET %s: %s", request.path, exc)
        return None
    return _account_for_key(key_id)


def signer() -> Account | None:
    """The actor whose valid HTTP signature this request carries (verified once per request)."""
    cached: Any = request.environ.get(_ENV_KEY, _UNSET)
    if cached is _UNSET:
        cached = _verify()
        request.environ[_ENV_KEY] = cached
    return cached


def authorized_fetch() -> bool:
    return bool(getattr(current_app.config["FEDI"], "AUTHORIZED_FETCH", False))


def require_signature_if_authorized() -> Account | None:
    """The signer; with AUTHORIZED_FETCH on (and verification available), 401 without one."""
    account = signer()
    if account is None and authorized_fetch() and verification_available():
        abort(401)
    return account
