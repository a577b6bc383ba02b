"""Canonical URLs of local objects (ids in ActivityPub, links in the API and the web UI)."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app


def base_url() -> str:
    return current_app.config["FEDI"].base_url


def local_domain() -> str:
    return current_app.config["FEDI"].LOCAL_DOMAIN


def actor_uri(username: str) -> str:
    return f"{base_url()}/users/{username}"


def profile_url(username: str) -> str:
    return f"{base_url()}/@{username}"


def status_uri(username: str, status_id: int) -> str:
    return f"{actor_uri(username)}/statuses/{status_id}"


def status_url(username: str, status_id: int) -> str:
    return f"{profile_url(username)}/{status_id}"


def tag_url(name: str) -> str:
    return f"{base_url()}/tags/{quote(name)}"


def media_url(
    path: str | None, remote: str | None = None, fallback: str | None = None
) -> str | None:
    """The absolute URL of a media file: ours when stored here (`path` under /media), else the
    remote server's, else `fallback` (a path here, such as a default avatar), else None."""
    if path:
        return f"{base_url()}/media/{path}"
    if remote:
        return remote
    return f"{base_url()}{fallback}" if fallback else None


def emoji_uri(emoji_id: int) -> str:
    """The id of a local custom emoji in ActivityPub (as Mastodon's /emojis/:id)."""
    return f"{base_url()}/emojis/{emoji_id}"


def shared_inbox_url() -> str:
    return f"{base_url()}/inbox"


def actor_urls(username: str) -> dict[str, str]:
    """The collection and endpoint URLs of a local actor, as stored on its account row."""
    uri = actor_uri(username)
    return {
        "uri": uri,
        "url": profile_url(username),
        "inbox_url": f"{uri}/inbox",
        "outbox_url": f"{uri}/outbox",
        "followers_url": f"{uri}/followers",
        "following_url": f"{uri}/following",
        "featured_url": f"{uri}/collections/featured",
        "featured_tags_url": f"{uri}/collections/tags",
        "shared_inbox_url": shared_inbox_url(),
        "public_key_id": f"{uri}#main-key",
    }
