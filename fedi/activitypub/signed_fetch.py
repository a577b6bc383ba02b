"""Who signed a GET: the verified actor of an HTTP signature, and the AUTHORIZED_FETCH gate.

Verification uses `fedi.federation.signatures.verify_request` with the key cache of
`fedi.federation.resolve.public_key_for`. The gate fails closed: a request whose signature
cannot be verified, for whatever reason, counts as unsigned.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, current_app, request
from sqlalchemy import or_, select

from fedi.extensions import db
from fedi.federation.resolve import public_key_for
from fedi.federation.signatures import verify_request
from fedi.models import Account

log = logging.getLogger(__name__)
_UNSET = object()
_ENV_KEY = "fedi.signer"  # per request (an app context may outlive many requests)


def _has_signature() -> bool:
    return "Signature" in request.headers or "Signature-Input" in request.headers


def _account_for_key(key_id: str) -> Account | None:
    owner = key_id.split("#", 1)[0]
    return db.session.scalar(
        select(Account).where(or_(Account.public_key_id == key_id, Account.uri == owner)).limit(1)
    )


def _verify() -> Account | None:
    if not _has_signature():
        return None
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
    return current_app.config["FEDI"].AUTHORIZED_FETCH


def require_signature_if_authorized() -> Account | None:
    """The signer; with AUTHORIZED_FETCH on, 401 without one."""
    account = signer()
    if account is None and authorized_fetch():
        abort(401)
    return account
