"""`Idempotency-Key` for posting: the same key from the same account within a day answers with
the status the first request made, instead of posting it again (Mastodon keeps keys an hour)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select

from fedi.errors import NotFound
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, IdempotencyKey, Status, utcnow

EXPIRY = timedelta(hours=24)
MAX_KEY = 255


def normalize(key: str | None) -> str | None:
    """The key as stored: as sent, or a digest when it is longer than the column."""
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _live(account: Account, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.account_id == account.id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at > utcnow() - EXPIRY,
        )
    )


def find(account: Account, key: str | None) -> Status | None:
    """The status an earlier request with this key made, if the key is still remembered.
    Raises NotFound when that status has since been deleted, as Mastodon does."""
    key = normalize(key)
    row = _live(account, key) if key else None
    if row is None:
        return None
    status = db.session.get(Status, row.status_id)
    if status is None or status.deleted_at is not None:
        raise NotFound("Record not found")
    return status


def remember(account: Account, key: str | None, status_id: int) -> None:
    """Record the key in the caller's transaction, forgetting this account's expired keys.
    A concurrent request with the same key then fails on the unique constraint at commit."""
    key = normalize(key)
    if key is None:
        return
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.account_id == account.id,
            IdempotencyKey.created_at <= utcnow() - EXPIRY,
        )
    )
    db.session.add(IdempotencyKey(id=new_id(), account_id=account.id, key=key, status_id=status_id))


def prune_expired() -> int:
    """Delete every expired key (for a periodic task); returns how many went."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at <= utcnow() - EXPIRY)
    )
    db.session.commit()
    return result.rowcount or 0
