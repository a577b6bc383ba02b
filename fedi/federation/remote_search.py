"""Search for the web UI: the client API's search, and, for a signed-in viewer, resolving a
remote `@user@domain` or a URL through federation when nothing local matches."""

from __future__ import annotations

import logging
import re

from fedi.errors import DomainError
from fedi.federation import resolve, safe_http
from fedi.models import Account, Status
from fedi.services import relations, search, visibility

log = logging.getLogger(__name__)
RESOLVE_DEADLINE = 20.0  # seconds for the whole resolve of one search, every fetch included
ACCT_RE = re.compile(r"^@?[A-Za-z0-9_.-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+(?::\d{1,5})?$")


def run(viewer: Account, q: str, *, limit: int = 20) -> search.Results:
    q = " ".join((q or "").split())
    results = search.search(viewer, search.Query(q=q, resolve=True, limit=limit))
    if results.accounts or results.statuses or not q:
        return results
    return resolve_remote(viewer, q, results)


def resolve_remote(viewer: Account, q: str, results: search.Results) -> search.Results:
    """Fill empty `results` with the remote account or status `q` names, fetched (the client
    API's search with `resolve=true` too)."""
    if ACCT_RE.match(q) or q.startswith(("https://", "http://")):
        _resolve_remote(viewer, q, results)
    return results


def _resolve_remote(viewer: Account, q: str, results: search.Results) -> None:
    """One fetch of what `q` names (WebFinger, then the actor, for a handle), all of it,
    author and ancestors included, within RESOLVE_DEADLINE."""
    try:
        with safe_http.budget(RESOLVE_DEADLINE):
            if q.startswith(("https://", "http://")):
                found = resolve.resolve_url(q)
            else:
                found = resolve.resolve_account(q)
    except (DomainError, OSError, ValueError) as exc:
        log.info("resolving %s failed: %s", q, exc)
        return
    if isinstance(found, Status):
        if visibility.can_see(viewer, found):
            results.statuses = [found]
    elif found is not None and not relations.blocks_either_way(viewer.id, found.id):
        results.accounts = [found]
