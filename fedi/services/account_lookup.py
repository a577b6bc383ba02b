"""Finding accounts for the API: by id, by acct, and by a search of names, with the rules for
which accounts may be shown at all."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import defer, joinedload

from fedi import db_watch, urls
from fedi.errors import NotFound
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, Block, Follow, User
from fedi.services import accounts
from fedi.ttl_cache import TTLCache


def _listed_login() -> object:
    """A local account shows once its login is approved and confirmed (remote ones always do)."""
    return or_(
        Account.domain.is_not(None),
        Account.id.in_(
            select(User.account_id).where(User.approved.is_(True), User.confirmed_at.is_not(None))
        ),
    )


# The login comes in the same query (is_listed reads it); the keys only when asked for.
_LOAD = (joinedload(Account.user), defer(Account.private_key), defer(Account.public_key))


def is_listed(account: Account) -> bool:
    if account.domain is not None:
        return True
    user = account.user
    return user is not None and user.approved and user.confirmed_at is not None


def get_account(account_id: int | str) -> Account:
    """The account with this id; NotFound for unknown ids and for local sign-ups still waiting
    for approval or confirmation."""
    key = parse_id(account_id) or 0
    account = (
        db.session.scalar(select(Account).where(Account.id == key).options(*_LOAD)) if key else None
    )
    if account is None or not is_listed(account):
        raise NotFound("Record not found")
    return account


class AccountRef(NamedTuple):
    """What a read of an account's content needs to know about the account itself."""

    id: int
    suspended_at: datetime | None


_A, _U = Account.__table__.c, User.__table__.c
_REF = (
    select(_A.id, _A.suspended_at, _A.domain, _U.approved, _U.confirmed_at)
    .select_from(Account.__table__.outerjoin(User.__table__, _U.account_id == _A.id))
    .where(_A.id == bindparam("id"))
)


# Statements that change whether an account shows, or as what: any write to logins, deleting an
# account, or changing its suspension (not the counters every post updates).
ACCOUNT_STATE_WRITE = re.compile(
    r"\busers\b|^\s*DELETE\s+FROM\s+accounts\b|^\s*UPDATE\s+accounts\s+SET\b.*\bsuspended_at\b",
    re.I | re.S,
)
# Listed accounts' references, for a few seconds: a profile's pages are read in bursts. Such a
# change empties it in the process that commits it; other processes see it within the TTL.
_refs: TTLCache[int, AccountRef] = TTLCache(5.0)
db_watch.after_commit_of(lambda sql: ACCOUNT_STATE_WRITE.search(sql) is not None, _refs.clear)


def get_account_ref(account_id: int | str) -> AccountRef:
    """`get_account` for reads that need only the account's id (one narrow row, no ORM)."""
    key = parse_id(account_id) or 0
    cached = _refs.get(key)
    if cached is not None:
        return cached
    row = db.session.execute(_REF, {"id": key}).first() if key else None
    listed = row is not None and (
        row.domain is not None or (bool(row.approved) and row.confirmed_at is not None)
    )
    if not listed:
        raise NotFound("Record not found")
    return _refs.put(key, AccountRef(row.id, row.suspended_at))


def lookup(acct: str) -> Account:
    """An account by `user`, `@user`, `user@domain` or `@user@domain` (our domain: local)."""
    username, _, domain = (acct or "").strip().lstrip("@").partition("@")
    account = accounts.find_by_acct(username, domain or None) if username else None
    if account is None or not is_listed(account):
        raise NotFound("Record not found")
    return account


def moved_targets(rows: Iterable[Account]) -> dict[int, Account]:
    """The accounts these accounts moved to, by their id (one query, none when nobody moved)."""
    ids = {r.moved_to_account_id for r in rows if r.moved_to_account_id}
    if not ids:
        return {}
    return {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(ids)))}


def _like(prefix: str) -> str:
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def search(
    viewer: Account | None, q: str, *, limit: int = 40, offset: int = 0, following: bool = False
) -> list[Account]:
    """Known accounts whose username or display name starts with `q` (case-insensitively);
    `user@domain` narrows to that domain. Exact username matches come first, then the better
    followed. Suspended, moved and unlisted accounts, and those blocking or blocked by the viewer,
    are left out."""
    text = (q or "").strip().lstrip("@")
    if not text:
        return []
    username, _, domain = text.partition("@")
    if domain and domain.lower() == urls.local_domain().lower():
        domain = ""
    name_match = func.lower(Account.username).like(_like(username), escape="\\")
    if not domain:
        name_match = or_(
            name_match, func.lower(Account.display_name).like(_like(text), escape="\\")
        )
    query = select(Account).where(
        name_match,
        Account.suspended_at.is_(None),
        Account.moved_to_account_id.is_(None),
        _listed_login(),
    )
    if domain:
        query = query.where(func.lower(Account.domain).like(_like(domain), escape="\\"))
    if viewer is not None:
        query = query.where(_not_blocked(viewer))
        if following:
            followed = select(Follow.target_account_id).where(Follow.account_id == viewer.id)
            query = query.where(Account.id.in_(followed))
    exact = case((func.lower(Account.username) == username.lower(), 0), else_=1)
    query = query.order_by(exact, Account.followers_count.desc(), Account.id)
    return list(db.session.scalars(query.offset(max(0, offset)).limit(limit)))


def _not_blocked(viewer: Account):
    blocked = select(Block.target_account_id).where(Block.account_id == viewer.id)
    blocking = select(Block.account_id).where(Block.target_account_id == viewer.id)
    return Account.id.not_in(blocked.union(blocking))
