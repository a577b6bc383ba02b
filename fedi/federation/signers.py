"""Who signed an inbound request: the public key of a keyId and the actor owning it, together.

Verifying an inbox POST needs the key, then its owner (who must be the activity's actor). A
known actor's key and owner come from one narrow query (no Account row is loaded: an inbox
under load answers hundreds of POSTs a second); an unknown key, or one that failed to verify
(rotated), goes through `resolve.public_key_for`, which fetches the actor and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import Account


@dataclass(frozen=True)
class Signer:
    account_id: int
    uri: str
    key_id: str
    public_key: str
    local: bool
    suspended: bool


def lookup(key_id: str, refresh: bool = False) -> Signer | None:
    """The key and its owner; `refresh` fetches the actor again first (a rotated key)."""
    if not refresh:
        known = _known(key_id)
        if known is not None:
            return known
    if not resolve.public_key_for(key_id, refresh):
        return None
    return _known(key_id)


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
