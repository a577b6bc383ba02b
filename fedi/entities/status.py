"""The Status entity: a pure rendering of a status row and what services/status_pages.py loaded
for its page (mentions, tags, media, card, application, the viewer's flags), so a page of
statuses costs that loader's fixed number of queries whatever its size.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from flask import current_app

from fedi import urls
from fedi.entities.account import account as account_entity
from fedi.entities.common import iso
from fedi.entities.custom_emoji import custom_emoji
from fedi.entities.filter import filter_result
from fedi.entities.media import media_attachment
from fedi.entities.poll import poll as poll_entity
from fedi.entities.preview_card import preview_card
from fedi.models import Account, Status, Visibility
from fedi.services import status_pages
from fedi.services.status_pages import StatusPage
from fedi.services.status_views import AccountView, StatusView


class StatusEntities:
    """What renders the statuses of one loaded page: the page (services/status_pages.py) and each
    author's Account entity, built once per page (once per process for views, by their key)."""

    __slots__ = ("_accounts", "page")

    def __init__(self, page: StatusPage) -> None:
        self.page = page
        self._accounts: dict[int, dict[str, Any]] = {}

    def account(self, row: Account) -> dict[str, Any]:
        if row.id not in self._accounts:
            key = getattr(row, "key", None)
            emojis = self.page.account_emojis(row)
            if key and not emojis:
                body = _view_account(current_app.config["FEDI"].base_url, key)
            else:
                body = account_entity(row, emojis=emojis)
            self._accounts[row.id] = body
        return self._accounts[row.id]


def page_entities(viewer: Account | int | None, rows: Sequence[Status]) -> StatusEntities:
    """Load what `rows` show (see status_pages.load) and render from it."""
    return StatusEntities(status_pages.load(viewer, rows))


def _application(row: Status, page: StatusPage) -> dict[str, Any] | None:
    app = page.apps.get(row.application_id) if row.application_id else None
    return {"name": app.name, "website": app.website} if app else None


# Entities of status views by their key (their row): equal rows make equal entities, so these
# need no invalidation; a changed row is a new key and the old entry ages out. Only the parts
# that depend on the row alone are cached, and callers get copies or must not modify them.
CACHE_SIZE = 4096


@functools.lru_cache(maxsize=CACHE_SIZE)
def _view_account(base_url: str, key: tuple) -> dict[str, Any]:
    """(Media URLs depend on the instance's address, hence `base_url` in the key.)"""
    return account_entity(AccountView._make(key))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _view_base(key: tuple) -> dict[str, Any]:
    return _base(StatusView(key, None))


def _base(row: Status) -> dict[str, Any]:
    """The fields of the entity that come from the status row alone."""
    return {
        "id": str(row.id),
        "created_at": iso(row.created_at),
        "in_reply_to_id": str(row.in_reply_to_id) if row.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(row.in_reply_to_account_id) if row.in_reply_to_account_id else None
        ),
        "sensitive": row.sensitive,
        "spoiler_text": row.spoiler_text,
        "visibility": row.visibility.value,
        "language": row.language,
        "uri": row.uri,
        "url": row.url,
        "replies_count": row.replies_count,
        "reblogs_count": row.reblogs_count,
        "favourites_count": row.favourites_count,
        "edited_at": iso(row.edited_at),
        "content": row.content,
    }


def status(row: Status, ctx: StatusEntities, *, source: bool = False) -> dict[str, Any]:
    """`source`: the typed `text` instead of the HTML `content` (Mastodon's delete answer)."""
    page = ctx.page
    viewer_id = page.viewer_id
    key = getattr(row, "key", None)
    body = dict(_view_base(key)) if key is not None and not source else _base(row)
    body |= {
        "reblog": status(row.reblog, ctx, source=source) if row.reblog is not None else None,
        "application": _application(row, page),
        "account": ctx.account(row.account),
        "media_attachments": [media_attachment(m) for m in page.media.get(row.id, [])],
        "mentions": [
            {"id": str(a.id), "username": a.username, "url": a.url or a.uri, "acct": a.acct}
            for a in page.mentions.get(row.id, [])
        ],
        "tags": [{"name": t, "url": urls.tag_url(t)} for t in page.tags.get(row.id, [])],
        "emojis": [custom_emoji(e) for e in page.status_emojis(row)],
        "card": preview_card(page.cards[row.id]) if row.id in page.cards else None,
        "poll": _poll(row, page),
        "filtered": [filter_result(m) for m in page.filtered.get(row.id, ())],
    }
    if row.account.sensitized_at is not None and row.account_id != viewer_id:
        body["sensitive"] = True  # a moderator marked the author's media sensitive
    if viewer_id is not None:
        body["favourited"] = page.flag("favourited", row.id)
        body["reblogged"] = page.flag("reblogged", row.id)
        body["bookmarked"] = page.flag("bookmarked", row.id)
        body["muted"] = page.muted(row)
        if _pinnable(row, viewer_id):
            body["pinned"] = page.flag("pinned", row.id)
    if source:
        body = {("text" if k == "content" else k): v for k, v in body.items()}
        body["text"] = row.text
    return body


def _poll(row: Status, page: StatusPage) -> dict[str, Any] | None:
    found = page.polls.get(row.id)
    if found is None:
        return None
    return poll_entity(found, page.viewer_id, page.own_votes.get(row.id, ()))


def _pinnable(row: Status, viewer_id: int) -> bool:
    return (
        row.account_id == viewer_id
        and row.reblog_of_id is None
        and row.visibility in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE)
    )


def statuses(
    rows: Sequence[Status], viewer: Account | int | None, *, source: bool = False
) -> list[dict[str, Any]]:
    ctx = page_entities(viewer, rows)
    return [status(r, ctx, source=source) for r in rows]


def one(row: Status, viewer: Account | None, *, source: bool = False) -> dict[str, Any]:
    return statuses([row], viewer, source=source)[0]
