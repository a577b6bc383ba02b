"""Who signed an inbound request: the public key of a keyId and the actor owning it, together.

Verifying an inbox POST needs the key, then its owner (who must be the activity's actor). A
known actor's key and owner come from one narrow query (no Account row is loaded: an inbox
under load answers hundreds of POSTs a second); an unknown key, or one that failed to verify
(rotated), goes through `resolve.public_key_for`, which fetches the actor and stores it.

Known signers are kept for CACHE_SECONDS per process, so that a busy inbox runs no query before
storing an activity. A change to an account's key or suspension, or its deletion, empties the
cache of the process that commits it; elsewhere staleness is harmless: a key that no longer
verifies is fetched again (`refresh`), and the task that processes an activity checks its actor
again (a suspended or deleted one is dropped there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from fedi import db_watch
from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import Account
from fedi.ttl_cache import TTLCache


@dataclass(frozen=True)
class Signer:
    account_id: int
    uri: str
    key_id: str
    public_key: str
    local: bool
    suspended: bool


CACHE_SECONDS = 30.0
_cache: TTLCache[str, Signer] = TTLCache(CACHE_SECONDS, quiet=0.0)  # staleness is harmless


def lookup(key_id: str, refresh: bool = False) -> Signer | None:
    """The key and its owner; `refresh` fetches the actor again first (a rotated key)."""
    if not refresh:
        cached = _cache.get(key_id)
        if cached is not None:
            return cached
        known = _known(key_id)
        if known is not None:
            return _cache.put(key_id, known)
    if not resolve.public_key_for(key_id, refresh):
        return None
    known = _known(key_id)
    return _cache.put(key_id, known) if known is not None else None


_SIGNER_WRITE = re.compile(
    r"^\s*DELETE\s+FROM\s+accounts\b|"
    r"^\s*UPDATE\s+accounts\s+SET\b.*\b(suspended_at|public_key|public_key_id|uri|domain)\b",
    re.I | re.S,
)
db_watch.after_commit_of(lambda sql: _SIGNER_WRITE.search(sql) is not None, _cache.clear)


_A = Account.__table__
# Built once (Core, a bound parameter): no statement construction, ORM compile or load per POST.
_KNOWN = select(_A.c.id, _A.c.uri, _A.c.public_key, _A.c.domain, _A.c.suspended_at).where(
    _A.c.public_key_id == bindparam("key_id")
)


def _known(key_id: str) -> Signer | None:
    row = db.session.connection().execute(_KNOWN, {"key_id": key_id}).first()
    if row is None or not row.public_key:
        return None
    return Signer(
        account_id=row.id, uri=row.uri, key_id=key_id, public_key=row.public_key,
        local=row.domain is None, suspended=row.suspended_at is not None,
    )  # fmt: skip
