"""Remote resolution: actors and statuses by URI (or `user@domain`), fetched with a signed GET
and stored through the remote services; public keys for signature verification.

Every fetched document passes through `client.get_object`, which refuses private addresses,
oversized and non-ActivityStreams answers, and documents whose id is on another host.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from fedi import hosts, urls
from fedi.extensions import db
from fedi.federation import client, safe_http
from fedi.models import Account, Status, utcnow
from fedi.services import accounts, remote

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=1)
MAX_ANCESTORS = 5
MAX_MENTION_LOOKUPS = 10  # accounts fetched for the Mention tags of one received object
ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
STATUS_TYPES = frozenset(
    {"Note", "Question", "Article", "Page", "Event", "Image", "Video", "Audio"}
)


def host_of(url: str | None) -> str | None:
    """The normalised host (and port) of a URL: the unit that signs for what it serves."""
    return hosts.normalize_host(url) or None if url else None


def same_host(a: str | None, b: str | None) -> bool:
    ha, hb = host_of(a), host_of(b)
    return ha is not None and ha == hb


def is_local_uri(uri: str | None) -> bool:
    return same_host(uri, urls.base_url())


def _fetch(url: str) -> dict[str, Any] | None:
    try:
        return remote.normalize_types(client.get_object(url))
    except safe_http.FetchError as exc:
        log.info("fetch of %s failed: %s", url, exc)
        return None


def fetch_object(url: str) -> dict[str, Any] | None:
    """A document fetched from its origin (None when it cannot be had)."""
    return None if is_local_uri(url) else _fetch(url)


def find_account_by_uri(uri: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.uri == uri))


def _fresh(account: Account) -> bool:
    return account.local or (
        account.fetched_at is not None and utcnow() - account.fetched_at < STALE_AFTER
    )


def resolve_account(uri_or_acct: str, *, refresh: bool = False) -> Account | None:
    """A known account, or one fetched (WebFinger first for `user@domain`) and stored."""
    value = (uri_or_acct or "").strip()
    if value.startswith(("http://", "https://")):
        return _account_by_uri(value, refresh)
    username, _, domain = value.removeprefix("acct:").lstrip("@").partition("@")
    if not username:
        return None
    known = accounts.find_by_acct(username, domain or None)
    if known is not None and (known.local or (_fresh(known) and not refresh)):
        return known
    if not domain:
        return None
    uri = _webfinger_self(f"{username}@{domain}")
    return _account_by_uri(uri, True) if uri else known


def _webfinger_self(acct: str) -> str | None:
    try:
        jrd = client.webfinger(acct)
    except safe_http.FetchError as exc:
        log.info("webfinger of %s failed: %s", acct, exc)
        return None
    for link in remote.as_list(jrd.get("links")):
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and "json" in str(link.get("type") or "")
            and isinstance(link.get("href"), str)
        ):
            return link["href"]
    return None


def _account_by_uri(uri: str, refresh: bool) -> Account | None:
    known = find_account_by_uri(uri)
    if known is not None and (known.local or (_fresh(known) and not refresh)):
        return known
    if is_local_uri(uri):
        return None
    doc = _fetch(uri)
    if not doc or doc.get("type") not in ACTOR_TYPES or not same_host(doc.get("id"), uri):
        return known
    return _store_actor(doc)


def _store_actor(doc: dict[str, Any]) -> Account | None:
    """An actor document fetched from its id's host, stored."""
    return remote.upsert_account(doc, domain=host_of(doc["id"]) or "")


def public_key_for(key_id: str, refresh: bool = False) -> str | None:
    """The PEM of a signing key, cached on its actor's row; `refresh` refetches the actor
    (a rotated key)."""
    account = db.session.scalars(
        select(Account).where(
            or_(Account.public_key_id == key_id, Account.uri == key_id.split("#")[0])
        )
    ).first()
    if account is not None and (account.local or (account.public_key and not refresh)):
        return account.public_key if account.public_key_id == key_id else None
    doc = _actor_for_key(key_id)
    if doc is None:
        return None
    stored = remote.upsert_account(doc, domain=host_of(doc["id"]) or "")
    if stored is None or stored.public_key_id != key_id:
        return None
    return stored.public_key


def _actor_for_key(key_id: str) -> dict[str, Any] | None:
    """The actor document owning a key: the key URL may serve the actor itself (Mastodon), a
    key document naming its `owner`, or a stub of the actor (GoToSocial's `/main-key`)."""
    url = key_id.split("#")[0]
    doc = None if is_local_uri(url) else _fetch(url)
    if doc is None:
        return None
    if doc.get("type") in ACTOR_TYPES:
        complete = doc.get("id") == url and doc.get("preferredUsername") and doc.get("inbox")
        owner = None if complete else doc.get("id")
    else:
        owner = remote.ref(doc.get("owner"))
    if owner and owner != url:
        if not same_host(owner, key_id):
            return None
        doc = _fetch(owner)
    if not doc or doc.get("type") not in ACTOR_TYPES or not same_host(doc.get("id"), key_id):
        return None
    return doc


def find_status_by_uri(uri: str | None) -> Status | None:
    """The status with this id, else the one whose public URL it is. Boosts carry their
    original's URL, so they never answer a URL lookup (they would shadow the original)."""
    if not uri:
        return None
    by_url = (func.coalesce(Status.url, "") == uri) & Status.reblog_of_id.is_(None)
    return db.session.scalars(
        select(Status)
        .where(or_(Status.uri == uri, by_url))
        .order_by((Status.uri == uri).desc(), Status.id)
        .limit(1)
    ).first()


def resolve_status(uri: str, *, depth: int = MAX_ANCESTORS) -> Status | None:
    """A known status by URI, or the object fetched from its origin and stored."""
    known = find_status_by_uri(uri)
    if known is not None or is_local_uri(uri):
        return known
    doc = _fetch(uri)
    if not doc or not same_host(doc.get("id"), uri):
        return None
    return ingest_status(doc, depth=depth)


def resolve_url(url: str) -> Account | Status | None:
    """What a URL names: a known status or account, else the document fetched once from its
    origin and stored as what it is (an actor, or a status with its author and ancestors)."""
    known = find_status_by_uri(url) or find_account_by_uri(url)
    if isinstance(known, Status) or is_local_uri(url) or (known is not None and _fresh(known)):
        return known
    doc = _fetch(url)
    if not doc or not same_host(doc.get("id"), url):
        return known
    return _store_actor(doc) if doc.get("type") in ACTOR_TYPES else ingest_status(doc)


def ingest_status(obj: dict[str, Any], *, depth: int = MAX_ANCESTORS) -> Status | None:
    """Store a status object whose origin was checked by the caller: its author is resolved
    (and must live on the object's host), its ancestors are fetched up to `depth` levels."""
    if obj.get("type") not in STATUS_TYPES or not isinstance(obj.get("id"), str):
        return None
    known = find_status_by_uri(obj["id"])
    if known is not None:
        return known
    author_uri = remote.ref(obj.get("attributedTo"))
    if not author_uri or not same_host(author_uri, obj["id"]):
        return None
    author = resolve_account(author_uri)
    if author is None or author.suspended_at is not None:
        return None
    obj = with_mention_hrefs(obj)
    parent_uri = remote.ref(obj.get("inReplyTo"))
    parent = None
    if parent_uri:
        parent = find_status_by_uri(parent_uri)
        if parent is None and depth > 0:
            parent = resolve_status(parent_uri, depth=depth - 1)
    return remote.create_status(obj, author=author, parent=parent)


def with_mention_hrefs(
    obj: dict[str, Any], *, lookups: int = MAX_MENTION_LOOKUPS
) -> dict[str, Any]:
    """The object with each Mention tag naming its account by `href`, which is how the stored
    mentions are matched (whatever the tag's `name` says: `@actor@test_server`, `@alice` or
    nothing). An href not known here is fetched as an actor and replaced by the actor's id; a
    tag without href falls back to its name, `@user@domain` (ours or known, else WebFinger).
    At most `lookups` fetches; a tag that cannot be resolved is left as it is."""
    tags = remote.as_list(obj.get("tag"))
    mentions = [t for t in tags if isinstance(t, dict) and t.get("type") == "Mention"]
    if not mentions:
        return obj
    hrefs = [h for h in (remote.ref(t.get("href")) for t in mentions) if h]
    known: set[str] = set()
    if hrefs:
        rows = db.session.execute(
            select(Account.uri, Account.url).where(
                or_(Account.uri.in_(hrefs), Account.url.in_(hrefs))
            )
        )
        known = {value for row in rows for value in row if value}
    budget = [lookups]
    out: list[Any] = []
    for tag in tags:
        if isinstance(tag, dict) and tag.get("type") == "Mention":
            href = _mention_href(tag, known, budget)
            if href is not None and href != tag.get("href"):
                tag = {**tag, "href": href}
        out.append(tag)
    return {**obj, "tag": out}


def _mention_href(tag: dict[str, Any], known: set[str], budget: list[int]) -> str | None:
    href = remote.ref(tag.get("href"))
    if href is not None:
        if href in known or is_local_uri(href) or budget[0] <= 0:
            return href
        budget[0] -= 1
        account = resolve_account(href)
        return account.uri if account is not None else href
    name = tag.get("name")
    username, _, domain = (name if isinstance(name, str) else "").strip().lstrip("@").partition("@")
    if not username or not domain or "@" in domain:
        return None  # `@user` alone: whose server? (Mastodon ignores tags without href)
    account = accounts.find_by_acct(username, domain)
    if account is None and budget[0] > 0 and domain.lower() != urls.local_domain().lower():
        budget[0] -= 1
        account = resolve_account(f"{username}@{domain}")
    return account.uri if account is not None else None
