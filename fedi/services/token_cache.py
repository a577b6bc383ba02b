"""Checked bearer tokens, kept for a few seconds per process.

Every API request checks its token, and under load one client sends many requests a second
with the same one: a short-lived cache saves a database round trip on nearly all of them.

- Only valid tokens are kept. An unknown value is looked up every time, so a token issued by
  another process works at once.
- In this process, any committed write to tokens or logins, or an account's suspension or
  deletion (revoke, suspend, disable, approve, password change) empties the cache, so the
  change applies to the next request.
- Other processes learn of it within `TTL` seconds. Revoking also closes the token's open
  streams everywhere at once (fedi/events/channels.publish_kill).
"""

from __future__ import annotations

import re
from typing import Any

from fedi import db_watch
from fedi.services.account_lookup import ACCOUNT_STATE_WRITE
from fedi.ttl_cache import TTLCache

TTL = 5.0  # seconds
# Writes that can change a token's answer: any to tokens, and those that change an account's
# standing (its login, suspension or deletion)...
_TOKENS = re.compile(r"\boauth_tokens\b", re.I)
# ... but not the hourly note of when a token was last used (fedi/services/tokens.py).
_TOUCH = re.compile(r"^\s*UPDATE oauth_tokens SET last_used_at=[^,]+ WHERE oauth_tokens\.id = \S+$")

QUIET_AFTER_CHANGE = 0.5  # seconds without caching after such a write commits
cache: TTLCache[str, Any] = TTLCache(TTL, quiet=QUIET_AFTER_CHANGE)  # token value -> TokenInfo


def _writes_auth(statement: str) -> bool:
    if _TOKENS.search(statement) is None:
        return ACCOUNT_STATE_WRITE.search(statement) is not None
    return _TOUCH.match(statement) is None


db_watch.after_commit_of(_writes_auth, cache.clear)
