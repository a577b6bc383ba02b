"""Search over the local database: accounts, hashtags and statuses (Mastodon's `/api/v2/search`).

Accounts match by username or display-name prefix (an exact `user@domain` comes first); hashtags
by name prefix; statuses by their words, among what the viewer may find: public posts, its own,
and those mentioning it. PostgreSQL matches whole words with full-text search
(`websearch_to_tsquery` over spoiler text and content, GIN-indexed); SQLite matches every word as
a substring of the source text (or the content of remote posts) with LIKE.
An `https://` query with `resolve` finds the local or already-known account or status at that URL;
fetching unknown remote ones comes with federation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import and_, case, func, or_, select, text

from fedi import urls
from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, Block, Follow, Mention, Status, Tag, Visibility
from fedi.models.search import SEARCH_DOCUMENT
from fedi.services import accounts, relations, timelines, visibility
from fedi.services.pagination import PageParams
from fedi.text.parse import MAX_URL_LENGTH, normalize_tag

TYPES = ("accounts", "hashtags", "statuses")
MAX_TERMS = 8
MAX_QUERY = MAX_URL_LENGTH  # characters: room for the longest URL, nothing anyone types is longer
_LOCAL_STATUS = re.compile(r"^/(?:@([^/]+)|users/([^/]+)/statuses)/(\d+)/?$")
_LOCAL_ACCOUNT = re.compile(r"^/(?:@|users/)([^/]+)/?$")


@dataclass
class Query:
    q: str
    type: str | None = None
    resolve: bool = False
    following: bool = False
    account_id: str | None = None
    exclude_unreviewed: bool = False
    offset: int = 0
    limit: int = 20
    page: PageParams = field(default_factory=PageParams)


@dataclass
class Results:
    accounts: list[Account] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    hashtags: list[Tag] = field(default_factory=list)


def search(viewer: Account | None, query: Query) -> Results:
    q = " ".join(query.q.split())
    if len(q) > MAX_QUERY:
        raise Unprocessable(f"Validation failed: q is too long (maximum is {MAX_QUERY} characters)")
    results = Results()
    if not q or query.limit <= 0:
        return results
    offset = query.offset if query.type else 0
    if query.resolve and re.match(r"^https?://", q):
        return _resolve_url(viewer, q, query.type) if offset == 0 else results
    if query.type in (None, "accounts") and not (q.startswith("#") or ("@" in q and " " in q)):
        results.accounts = search_accounts(
            viewer, q, following=query.following, offset=offset, limit=query.limit
        )
    if query.type in (None, "hashtags") and "@" not in q:
        results.hashtags = search_tags(
            q, exclude_unreviewed=query.exclude_unreviewed, offset=offset, limit=query.limit
        )
    if query.type in (None, "statuses") and viewer is not None:
        results.statuses = search_statuses(
            viewer, q, account_id=query.account_id, page=query.page, offset=offset,
            limit=query.limit,
        )  # fmt: skip
    return results


def _resolve_url(viewer: Account | None, url: str, type_: str | None) -> Results:
    results = Results()
    if type_ in (None, "statuses"):
        status = status_at(url)
        if status is not None and visibility.can_see(viewer, status):
            results.statuses = [status]
            return results
    if type_ in (None, "accounts"):
        account = account_at(url)
        hidden = (
            viewer is not None
            and account is not None
            and (relations.blocks_either_way(viewer.id, account.id))
        )
        if account is not None and account.suspended_at is None and not hidden:
            results.accounts = [account]
    return results


def _local_path(url: str) -> str | None:
    parts = urlsplit(url)
    return parts.path if parts.netloc.lower() == urls.local_domain().lower() else None


def status_at(url: str) -> Status | None:
    """The local status at this URL (its `/@user/id` or `/users/user/statuses/id` address), or
    an already-known remote one with this URI or URL."""
    path = _local_path(url)
    if path is not None:
        match = _LOCAL_STATUS.match(path)
        key = parse_id(match.group(3)) if match else None
        status = db.session.get(Status, key) if key is not None else None
        username = match and (match.group(1) or match.group(2))
        if (
            status is None
            or not status.local
            or status.account.username.lower() != username.lower()
        ):
            return None
        return status
    return db.session.scalar(
        select(Status).where(or_(Status.uri == url, Status.url == url)).limit(1)
    )


def account_at(url: str) -> Account | None:
    """The local account at this profile URL, or an already-known remote one."""
    path = _local_path(url)
    if path is not None:
        match = _LOCAL_ACCOUNT.match(path)
        return accounts.find_local(match.group(1).lstrip("@")) if match else None
    return db.session.scalar(
        select(Account).where(or_(Account.uri == url, Account.url == url)).limit(1)
    )


def _exact_account(q: str) -> Account | None:
    username, _, domain = q.lstrip("@").partition("@")
    if not username:
        return None
    return accounts.find_by_acct(username, domain or None)


def search_accounts(
    viewer: Account | None, q: str, *, following: bool, offset: int, limit: int
) -> list[Account]:
    """Prefix matches on username (and domain) or display-name words; exact match first, then
    local accounts, then the most followed."""
    term = q.lstrip("@#").lower()
    username, _, domain = term.partition("@")
    if not username:
        return []
    name = func.lower(Account.username)
    display = func.lower(Account.display_name)
    matches = or_(
        name.startswith(username, autoescape=True),
        display.startswith(term, autoescape=True),
        display.contains(" " + term, autoescape=True),
    )
    if domain:
        matches = and_(
            name.startswith(username, autoescape=True),
            func.lower(Account.domain).startswith(domain, autoescape=True),
        )
    exact = _exact_account(q)
    query = select(Account).where(matches, Account.suspended_at.is_(None))
    query = _for_viewer(query, viewer, following)
    rank = case((Account.id == (exact.id if exact else 0), 0), else_=1)
    query = query.order_by(
        rank, Account.domain.is_not(None), Account.followers_count.desc(), Account.id
    )
    return list(db.session.scalars(query.offset(offset).limit(limit)))


def _for_viewer(query, viewer: Account | None, following: bool):
    if viewer is None:
        return query
    blocked = (
        select(Block.target_account_id)
        .where(Block.account_id == viewer.id)
        .union(select(Block.account_id).where(Block.target_account_id == viewer.id))
    )
    query = query.where(Account.id.not_in(blocked))
    if following:
        query = query.where(
            Account.id.in_(select(Follow.target_account_id).where(Follow.account_id == viewer.id))
        )
    return query


def search_tags(q: str, *, exclude_unreviewed: bool, offset: int, limit: int) -> list[Tag]:
    """Listable hashtags whose name starts with the query, shortest first. With
    `exclude_unreviewed` only trendable ones (or the exact name) remain."""
    name = normalize_tag(q.lstrip("#").strip())
    if not name:
        return []
    query = select(Tag).where(
        func.lower(Tag.name).startswith(name.lower(), autoescape=True), Tag.listable.is_(True)
    )
    if exclude_unreviewed:
        query = query.where(or_(Tag.name == name, Tag.trendable.is_(True)))
    query = query.order_by(func.length(Tag.name), Tag.name).offset(offset).limit(limit)
    return list(db.session.scalars(query))


def _matches(q: str):
    if db.session.get_bind().dialect.name == "postgresql":
        return SEARCH_DOCUMENT.op("@@")(func.websearch_to_tsquery(text("'simple'::regconfig"), q))
    terms = [t for t in q.split() if t][:MAX_TERMS]
    return and_(
        *(
            or_(
                Status.text.contains(t, autoescape=True),
                Status.spoiler_text.contains(t, autoescape=True),
                and_(Status.local.is_(False), Status.content.contains(t, autoescape=True)),
            )
            for t in terms
        )
    )


def search_statuses(
    viewer: Account, q: str, *, account_id: str | None, page: PageParams, offset: int, limit: int
) -> list[Status]:
    """Statuses matching every word, newest first, among those the viewer may find."""
    mentioned = select(Mention.status_id).where(Mention.account_id == viewer.id)
    query = (
        select(Status.id)
        .join(Account, Account.id == Status.account_id)
        .where(
            _matches(q),
            Status.deleted_at.is_(None),
            Status.reblog_of_id.is_(None),
            Account.suspended_at.is_(None),
            or_(
                Status.visibility == Visibility.PUBLIC,
                Status.account_id == viewer.id,
                Status.id.in_(mentioned),
            ),
            Status.account_id.not_in(relations.hidden_authors(viewer.id)),
        )
    )
    if account_id not in (None, ""):
        author = parse_id(account_id)
        if author is None:
            return []
        query = query.where(Status.account_id == author)
    limited = PageParams(max_id=page.max_id, min_id=page.min_id, limit=limit)
    ids = list(db.session.scalars(limited.apply(query, Status.id).offset(offset)))
    return timelines.load(limited.finish(ids))
