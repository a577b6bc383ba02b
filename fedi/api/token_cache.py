"""Checked bearer tokens, kept for a few seconds per process.

Every API request checks its token, and under load one client sends many requests a second
with the same one: a short-lived cache saves a database round trip on nearly all of them.

- Only valid tokens are kept. An unknown value is looked up every time, so a token issued by
  another process works at once.
- In this process, any committed write to tokens or logins, or an account's suspension or
  deletion (revoke, suspend, disable, approve, password change) empties the cache, so the
  change applies to the next request.
- Other processes learn of it within `TTL` seconds. Revoking also closes the token's open
  streams everywhere at once (streaming/channels.publish_kill).
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from fedi import db_watch

TTL = 5.0  # seconds
MAX_ENTRIES = 10_000
# Writes that can change a token's answer: any to tokens or logins; to accounts, deleting one or
# changing its suspension (not the counters every post updates).
_AUTH_WRITE = re.compile(
    r"\b(oauth_tokens|users)\b|^\s*DELETE\s+FROM\s+accounts\b|"
    r"^\s*UPDATE\s+accounts\s+SET\b.*\bsuspended_at\b",
    re.I | re.S,
)
# ... but not the hourly note of when a token was last used (fedi/api/auth.py).
_TOUCH = re.compile(r"^\s*UPDATE oauth_tokens SET last_used_at=[^,]+ WHERE oauth_tokens\.id = \S+$")

QUIET_AFTER_CHANGE = 0.5  # seconds without caching after such a write commits
_entries: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()
_quiet_until = 0.0


def get(value: str) -> Any | None:
    """The cached TokenInfo for this value, or None when absent or stale."""
    found = _entries.get(value)
    if found is None:
        return None
    expires, info = found
    if time.monotonic() >= expires:
        _entries.pop(value, None)
        return None
    return info


def put(value: str, info: Any, *, valid_for: float | None = None) -> None:
    """Keep `info` for TTL seconds, or less when the token itself expires sooner."""
    ttl = TTL if valid_for is None else min(TTL, valid_for)
    if ttl <= 0 or time.monotonic() < _quiet_until:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[value] = (time.monotonic() + ttl, info)


def clear() -> None:
    """Forget every entry, and cache nothing for a moment: the event that calls this comes just
    before the database commits, and a request reading in between must not keep the old state."""
    global _quiet_until
    with _lock:
        _quiet_until = time.monotonic() + QUIET_AFTER_CHANGE
        _entries.clear()


def _writes_auth(statement: str) -> bool:
    return _AUTH_WRITE.search(statement) is not None and _TOUCH.match(statement) is None


db_watch.after_commit_of(_writes_auth, clear)
