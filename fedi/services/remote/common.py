"""Reading remote ActivityStreams values: references, URLs, capped strings, times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
MAX_NAME = 255
MAX_URL = 2048
MAX_NOTE = 20_000
MAX_HTML = 200_000
MAX_SUMMARY = 2_000
MAX_FIELDS = 16
MAX_ALIASES = 20
MAX_TAGS = 50
MAX_MENTIONS = 100
MAX_ATTACHMENTS = 16
BOT_TYPES = frozenset({"Service", "Application"})
# The ActivityStreams types something here acts on: from a `type` given as a list, the first of
# these is the one that counts.
KNOWN_TYPES = frozenset({
    "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce",
    "Block", "Flag", "Move", "Add", "Remove",
    "Note", "Question", "Article", "Page", "Image", "Video", "Audio", "Event", "Tombstone",
    "Person", "Service", "Application", "Group", "Organization",
    "Mention", "Hashtag", "Emoji", "Link", "Document", "PropertyValue",
    "Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage",
})  # fmt: skip


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def one_type(value: Any) -> str | None:
    """A `type` as one string: a list (`["Note"]`, `["Note", "Article"]`) gives its first known
    type, else its first string; anything else that is not a string (an object, a number) is
    None, so that no handler's `type in {...}` can fail on it."""
    if isinstance(value, str):
        return value
    names = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return next((n for n in names if n in KNOWN_TYPES), names[0] if names else None)


def normalize_types(doc: Any) -> Any:
    """Every `type` given as a list in a document (the activity, its object, their tags and
    attachments, at any depth) replaced by one string (None when it holds none), in place; the
    document. Received and
    fetched documents pass here once, so handlers and services compare `type` to a string."""
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "type" in value and not isinstance(value["type"], str):
                value["type"] = one_type(value["type"])
            stack.extend(v for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, dict | list))
    return doc


def ref(value: Any) -> str | None:
    """The id of a reference: a bare IRI or an object with an `id` (first of a list)."""
    if isinstance(value, list):
        return ref(value[0]) if value else None
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and len(value) <= MAX_URL else None


def url(value: Any) -> str | None:
    """An http(s) URL from a string, a Link, or a list of either."""
    for item in as_list(value):
        candidate = item.get("href") if isinstance(item, dict) else item
        if (
            isinstance(candidate, str)
            and len(candidate) <= MAX_URL
            and urlsplit(candidate).scheme in ("http", "https")
        ):
            return candidate
    return None


def text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def plain(value: Any, limit: int) -> str:
    """A display string (plain text: templates and the API escape it), without control
    characters."""
    return "".join(ch for ch in text(value, limit) if ch >= " " or ch in "\n\t").strip()


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
