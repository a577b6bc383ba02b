"""Plain-language descriptions of OAuth scopes for the consent page."""

from __future__ import annotations

BROAD = {
    "read": "Read everything in your account",
    "write": "Change everything in your account: post, edit, delete and more",
    "follow": "Follow, unfollow, block and mute accounts, and see those lists",
    "push": "Receive push notifications",
    "profile": "See your profile only (name, picture, username)",
    "admin:read": "Read all moderation and administration data on this server",
    "admin:write": "Take moderation and administration actions on this server",
}
RESOURCES = {
    "accounts": "account details",
    "blocks": "blocks",
    "bookmarks": "bookmarks",
    "conversations": "private conversations",
    "favourites": "favourites",
    "filters": "filters",
    "follows": "follows",
    "lists": "lists",
    "media": "media uploads",
    "mutes": "mutes",
    "notifications": "notifications",
    "reports": "reports",
    "search": "search",
    "statuses": "posts",
    "domain_allows": "allowed domains",
    "domain_blocks": "blocked domains",
    "ip_blocks": "IP blocks",
    "email_domain_blocks": "blocked e-mail domains",
    "canonical_email_blocks": "blocked e-mail addresses",
}


def describe(scopes: list[str]) -> list[tuple[str, str]]:
    """(scope, description) pairs, in the order requested."""
    return [(scope, _label(scope)) for scope in scopes]


def _label(scope: str) -> str:
    if scope in BROAD:
        return BROAD[scope]
    parts = scope.split(":")
    resource = RESOURCES.get(parts[-1], parts[-1].replace("_", " "))
    admin = "Administration: " if parts[0] == "admin" else ""
    if "read" in parts[:-1]:
        return f"{admin}See your {resource}" if not admin else f"{admin}see {resource}"
    return f"{admin}Change your {resource}" if not admin else f"{admin}change {resource}"
