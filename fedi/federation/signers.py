"""Who signed an inbound request: the public key of a keyId and the actor owning it, together.

Verifying an inbox POST needs the key, then its owner (who must be the activity's actor). A
known actor's key and owner come from one narrow query (no Account row is loaded: an inbox
under load answers hundreds of POSTs a second); an unknown key, or one that failed to verify
(rotated), goes through `resolve.public_key_for`, which fetches the actor and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

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


def _known(key_id: str) -> Signer | None:
    accounts = Account.__table__  # Core: no ORM compile or load on the hot path
    row = (
        db.session.connection()
        .execute(
            select(
                accounts.c.id, accounts.c.uri, accounts.c.public_key, accounts.c.domain,
                accounts.c.suspended_at,
            ).where(accounts.c.public_key_id == key_id)
        )
        .first()
    )  # fmt: skip
    if row is None or not row.public_key:
        return None
    return Signer(
        account_id=row.id, uri=row.uri, key_id=key_id, public_key=row.public_key,
        local=row.domain is None, suspended=row.suspended_at is not None,
    )  # fmt: skip
