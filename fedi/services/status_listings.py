"""Listings of statuses as a viewer may see them, addressed as public URLs address them: a
profile's tabs (by acct), the public and hashtag timelines, their RSS feeds, one status by its
author's acct.

Each page is read by `services.timelines`, then filtered for the viewer by
`services.visibility.permitted` (a fixed number of queries); the cursor for the next page is
taken from the unfiltered rows, so a page thinned by the filter never ends the listing early.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fedi.errors import NotFound
from fedi.models import Account, Status, Tag, Visibility
from fedi.services import account_lookup, statuses, tags, timelines, visibility
from fedi.services.pagination import PageParams

PAGE_SIZE = 20
FEED_SIZE = 20
TABS = ("posts", "with_replies", "media")


@dataclass
class Page:
    statuses: list[Status]
    next_max_id: int | None = None
    pinned: list[Status] = field(default_factory=list)


def _page(viewer: Account | None, rows: list[Status], limit: int) -> Page:
    next_max_id = rows[-1].id if len(rows) >= limit else None
    return Page(statuses=visibility.permitted(viewer, rows), next_max_id=next_max_id)


def profile_account(acct: str) -> Account:
    """A listed, unsuspended account by `user` or `user@domain`; NotFound otherwise."""
    account = account_lookup.lookup(acct)
    if account.suspended_at is not None:
        raise NotFound("Record not found")
    return account


def profile(viewer: Account | None, account: Account, tab: str, max_id: int | None) -> Page:
    """One page of a profile tab; the first page of `posts` also carries the pinned posts."""
    params = PageParams(max_id=max_id, limit=PAGE_SIZE)
    options = {
        "posts": {"exclude_replies": True},
        "with_replies": {},
        "media": {"only_media": True},
    }[tab]
    rows = timelines.account_statuses(viewer, account, params, **options)
    page = _page(viewer, rows, PAGE_SIZE)
    if tab == "posts" and max_id is None:
        pinned = timelines.account_statuses(viewer, account, PageParams(limit=5), pinned=True)
        page.pinned = visibility.permitted(viewer, pinned)
    return page


def public(viewer: Account | None, *, local: bool, max_id: int | None) -> Page:
    params = PageParams(max_id=max_id, limit=PAGE_SIZE)
    return _page(viewer, timelines.public(viewer, params, local=local), PAGE_SIZE)


def tag(viewer: Account | None, name: str, max_id: int | None) -> tuple[Tag, Page]:
    """The hashtag (NotFound when nobody used it) and a page of its public posts."""
    found = tags.find(name)
    if found is None:
        raise NotFound("Record not found")
    params = PageParams(max_id=max_id, limit=PAGE_SIZE)
    return found, _page(viewer, timelines.tag(viewer, found.name, params), PAGE_SIZE)


def profile_feed(account: Account) -> list[Status]:
    """An account's newest public posts (no replies to others, no boosts) for its RSS feed."""
    rows = timelines.account_statuses(
        None, account, PageParams(limit=FEED_SIZE * 2), exclude_replies=True, exclude_reblogs=True
    )
    public_rows = [s for s in rows if s.visibility == Visibility.PUBLIC]
    return visibility.permitted(None, public_rows)[:FEED_SIZE]


def tag_feed(name: str) -> tuple[Tag, list[Status]]:
    found, page = tag(None, name, None)
    return found, page.statuses[:FEED_SIZE]


def status_at(viewer: Account | None, acct: str, status_id: int) -> Status:
    """The status at `/@acct/<id>` if the viewer may see it and it belongs to that account."""
    status = statuses.get_visible(status_id, viewer)
    if profile_account(acct).id != status.account_id:
        raise NotFound("Record not found")
    return status
