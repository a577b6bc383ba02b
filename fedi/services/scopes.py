"""OAuth scopes and Mastodon's hierarchy: `read` covers `read:*`, `follow` the relationship ones."""

from __future__ import annotations

READ = ["accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
        "notifications", "search", "statuses"]  # fmt: skip
WRITE = ["accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
         "lists", "media", "mutes", "notifications", "reports", "statuses"]  # fmt: skip
ADMIN_RESOURCES = ["accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks",
                   "email_domain_blocks", "canonical_email_blocks"]  # fmt: skip
FOLLOW_COVERS = {"read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes",
                 "write:mutes"}  # fmt: skip

ALL: frozenset[str] = frozenset(
    ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"]
    + [f"read:{r}" for r in READ]
    + [f"write:{r}" for r in WRITE]
    + [f"admin:{m}:{r}" for m in ("read", "write") for r in ADMIN_RESOURCES]
)
DEFAULT = "read"


def parse(value: str | list[str] | None, *, default: str = DEFAULT) -> list[str]:
    """Scopes from a space- or plus-separated string (or a list), in order, deduplicated."""
    if isinstance(value, list):  # what is not text is no scope: `unknown` names it
        value = " ".join(v if isinstance(v, str) else "?" for v in value)
    parts = (value or default).replace("+", " ").split()
    return list(dict.fromkeys(parts))


def unknown(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in ALL]


def covers(granted: set[str] | frozenset[str], required: str) -> bool:
    """Whether a token with `granted` scopes may do what needs `required`."""
    if required in granted:
        return True
    if required in FOLLOW_COVERS and "follow" in granted:
        return True
    if required.startswith("admin:"):
        mode = required.split(":")[1]
        return f"admin:{mode}" in granted
    head = required.split(":", 1)[0]
    return head != required and head in granted


def within(requested: list[str], allowed: list[str]) -> bool:
    """Whether every requested scope is allowed (an app registered with `read` may ask for
    `read:statuses`)."""
    granted = frozenset(allowed)
    return all(covers(granted, s) for s in requested)
