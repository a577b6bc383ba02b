"""Remote accounts from actor documents (Person, Service, Application, Group, Organization)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, utcnow
from fedi.services import domain_policy
from fedi.services.remote import emojis
from fedi.services.remote.common import (
    MAX_ALIASES,
    MAX_FIELDS,
    MAX_NAME,
    MAX_NOTE,
    as_list,
    plain,
    ref,
    text,
    url,
)
from fedi.text.sanitize import sanitize_remote_html

ACTOR_TYPES = ("Person", "Service", "Application", "Group", "Organization")
BOT_TYPES = frozenset({"Service", "Application"})


def _public_key(doc: dict[str, Any]) -> tuple[str | None, str]:
    """The actor's own key (id, PEM); keys owned by someone else are ignored."""
    for key in as_list(doc.get("publicKey")):
        if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
            continue
        if (ref(key.get("owner")) or doc.get("id")) == doc.get("id"):
            return ref(key), key["publicKeyPem"][:10_000]
    return None, ""


def _fields(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in as_list(doc.get("attachment")):
        if isinstance(item, dict) and item.get("type") == "PropertyValue":
            out.append(
                {
                    "name": plain(item.get("name"), MAX_NAME),
                    "value": sanitize_remote_html(text(item.get("value"), MAX_NOTE)),
                    "verified_at": None,
                }
            )
    return out[:MAX_FIELDS]


def _image(value: Any) -> str | None:
    items = as_list(value)
    first = items[0] if items else None
    return url(first.get("url") if isinstance(first, dict) else first)


def _attributes(doc: dict[str, Any]) -> dict[str, Any]:
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    key_id, key_pem = _public_key(doc)
    aliases = [u for u in map(ref, as_list(doc.get("alsoKnownAs"))) if u]
    return {
        "display_name": plain(doc.get("name"), MAX_NAME),
        "note": sanitize_remote_html(text(doc.get("summary"), MAX_NOTE)),
        "actor_type": doc["type"],
        "url": url(doc.get("url")) or doc["id"],
        "inbox_url": url(doc.get("inbox")) or "",
        "shared_inbox_url": url(endpoints.get("sharedInbox")),
        "outbox_url": url(doc.get("outbox")),
        "followers_url": url(doc.get("followers")),
        "following_url": url(doc.get("following")),
        "featured_url": url(doc.get("featured")),
        "featured_tags_url": url(doc.get("featuredTags")),
        "public_key_id": key_id,
        "public_key": key_pem,
        "locked": doc.get("manuallyApprovesFollowers") is True,
        "bot": doc["type"] in BOT_TYPES,
        "discoverable": doc.get("discoverable") is True,
        "indexable": doc.get("indexable") is True,
        "avatar_remote_url": _image(doc.get("icon")),
        "header_remote_url": _image(doc.get("image")),
        "fields": _fields(doc),
        "also_known_as": aliases[:MAX_ALIASES],
        "fetched_at": utcnow(),
    }


def _domain_rule(account: Account, *, new: bool) -> None:
    """What a block of the account's domain says (services/domain_moderation.py): an account
    first seen there is limited or suspended as its neighbours are (stamped with the block's
    time, so lifting the block lifts it), and rejected media are not kept."""
    rule = domain_policy.rule_for(account.domain)
    if rule is None:
        return
    if new:
        if rule.suspends:
            account.suspended_at = rule.created_at
        elif rule.silences:
            account.silenced_at = rule.created_at
    if rule.reject_media or rule.suspends:
        account.avatar_remote_url = account.header_remote_url = None


def _existing(uri: str, username: str, domain: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.uri == uri)) or db.session.scalar(
        select(Account).where(
            func.lower(Account.username) == username.lower(),
            func.lower(Account.domain) == domain.lower(),
        )
    )


def upsert_account(doc: dict[str, Any], *, domain: str) -> Account | None:
    """Create or refresh the remote account an actor document describes. The caller checked
    that the document came from its id's host, and gives that host (normalised) as `domain`.
    None when the document is not a usable actor."""
    uri = ref(doc.get("id"))
    username = plain(doc.get("preferredUsername"), MAX_NAME)
    if not uri or not username or not domain or "@" in username:
        return None
    if doc.get("type") not in ACTOR_TYPES:
        return None
    account = _existing(uri, username, domain)
    if account is not None and account.local:
        return None
    new = account is None
    if account is None:
        account = Account(id=new_id(), username=username, domain=domain, uri=uri)
        db.session.add(account)
    account.uri, account.username, account.domain = uri, username, domain
    for name, value in _attributes(doc).items():
        setattr(account, name, value)
    _domain_rule(account, new=new)
    moved = ref(doc.get("movedTo"))
    target = db.session.scalar(select(Account).where(Account.uri == moved)) if moved else None
    account.moved_to_account_id = target.id if target is not None else None
    emojis.store(doc, domain=domain)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(select(Account).where(Account.uri == uri))
    return account
