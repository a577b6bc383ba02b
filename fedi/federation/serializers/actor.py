"""Actors as ActivityStreams: local accounts as Person (Service for bots, Group, Application)."""

from __future__ import annotations

import mimetypes
from typing import Any

from fedi.extensions import db
from fedi.federation.serializers.common import emoji_tag, iso, with_context
from fedi.models import Account
from fedi.services import custom_emojis
from fedi.urls import media_url


def actor_type(account: Account) -> str:
    if account.actor_type in ("Group", "Application"):
        return account.actor_type
    return "Service" if account.bot else "Person"


def public_key(account: Account) -> dict[str, str]:
    return {
        "id": account.public_key_id or f"{account.uri}#main-key",
        "owner": account.uri,
        "publicKeyPem": account.public_key,
    }


def _image(path: str | None, remote: str | None) -> dict[str, str] | None:
    url = media_url(path, remote)
    if url is None:
        return None
    image = {"type": "Image", "url": url}
    mime = mimetypes.guess_type(url.split("?", 1)[0])[0]
    if mime:
        image["mediaType"] = mime
    return image


def _fields(account: Account) -> list[dict[str, str]]:
    return [
        {"type": "PropertyValue", "name": f.get("name", ""), "value": f.get("value", "")}
        for f in (account.fields or [])
    ]


def _urls(account: Account) -> dict[str, Any]:
    uri = account.uri
    boxes = {
        "inbox": account.inbox_url or f"{uri}/inbox",
        "outbox": account.outbox_url or f"{uri}/outbox",
    }
    if account.actor_type == "Application":  # the instance actor has no collections
        return boxes
    return {
        "following": account.following_url or f"{uri}/following",
        "followers": account.followers_url or f"{uri}/followers",
        **boxes,
        "featured": account.featured_url or f"{uri}/collections/featured",
        "featuredTags": account.featured_tags_url or f"{uri}/collections/tags",
    }


def actor(account: Account) -> dict[str, Any]:
    """The actor document of a local account (also what Update(Person) carries)."""
    body: dict[str, Any] = {"id": account.uri, "type": actor_type(account), **_urls(account)}
    body.update(
        preferredUsername=account.username,
        name=account.display_name,
        summary=account.note or "",
        url=account.url or account.uri,
        manuallyApprovesFollowers=account.locked,
        discoverable=account.discoverable,
        indexable=account.indexable,
        published=iso(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        memorial=False,
        publicKey=public_key(account),
        tag=[emoji_tag(e) for e in custom_emojis.of_account(account)],
        attachment=_fields(account),
        endpoints={"sharedInbox": account.shared_inbox_url} if account.shared_inbox_url else {},
    )
    if account.also_known_as:
        body["alsoKnownAs"] = list(account.also_known_as)
    if account.moved_to_account_id is not None:
        moved = db.session.get(Account, account.moved_to_account_id)
        if moved is not None:
            body["movedTo"] = moved.uri
    if account.suspended_at is not None:  # as Mastodon: the account, without its profile
        body.update(suspended=True, name=account.username, summary="", attachment=[], tag=[])
        return with_context(body)
    for key, image in (
        ("icon", _image(account.avatar_file, account.avatar_remote_url)),
        ("image", _image(account.header_file, account.header_remote_url)),
    ):
        if image is not None:
            body[key] = image
    return with_context(body)
