"""What the status templates need for a page of statuses, loaded in a fixed number of queries,
and the template helpers that turn rows into URLs.

`page_context(viewer, statuses)` reuses the client API's batch loader (mentions, tags, media and
the viewer's favourites, boosts, bookmarks and pins in one query, plus one for mentioned accounts
and one for media) and adds one query for the accounts replied to. Templates then read plain
dictionaries: `ctx.media_for(status)`, `ctx.reply_to(status)`, `ctx.flag("favourited", status)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import Blueprint, current_app
from markupsafe import Markup
from sqlalchemy import select

from fedi.api.entities.common import media_url
from fedi.api.entities.status import StatusContext
from fedi.extensions import db
from fedi.models import Account, MediaAttachment, Status
from fedi.text.sanitize import sanitize_remote_html


class PageContext:
    def __init__(self, viewer: Account | None, statuses: Sequence[Status]) -> None:
        rows = [*statuses, *(s.reblog for s in statuses if s.reblog is not None)]
        self.viewer = viewer
        self._batch = StatusContext(viewer, rows)
        wanted = {s.in_reply_to_account_id for s in rows if s.in_reply_to_account_id}
        self._replied: dict[int, Account] = {}
        if wanted:
            query = select(Account).where(Account.id.in_(wanted))
            self._replied = {a.id: a for a in db.session.scalars(query)}

    def media_for(self, status: Status) -> list[MediaAttachment]:
        return self._batch.media.get(status.id, [])

    def tags_for(self, status: Status) -> list[str]:
        return [t.name for t in self._batch.tags.get(status.id, [])]

    def mentions_for(self, status: Status) -> list[Account]:
        return self._batch.mentions.get(status.id, [])

    def reply_to(self, status: Status) -> Account | None:
        return self._replied.get(status.in_reply_to_account_id or 0)

    def flag(self, name: str, status: Status) -> bool:
        return self._batch.flag(name, status.id)


def page_context(viewer: Account | None, statuses: Sequence[Status]) -> PageContext:
    return PageContext(viewer, statuses)


# --- template helpers ------------------------------------------------------------------------


def avatar_url(account: Account) -> str:
    return media_url(account.avatar_file, account.avatar_remote_url, "/static/icons/avatar.png")


def header_url(account: Account) -> str:
    return media_url(account.header_file, account.header_remote_url, "/static/icons/header.png")


def media_src(media: MediaAttachment) -> str | None:
    return media_url(media.file_path, media.remote_url)


def preview_src(media: MediaAttachment) -> str | None:
    return media_url(media.thumbnail_path, media.thumbnail_remote_url) or media_src(media)


def profile_path(account: Account) -> str:
    """The profile page here, for local and known remote accounts alike."""
    return f"/@{account.acct}"


def status_path(status: Status) -> str:
    return f"/@{status.account.acct}/{status.id}"


def display_name(account: Account) -> str:
    return account.display_name.strip() or account.username


def short_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def iso_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


HELPERS = {
    f.__name__: f
    for f in (avatar_url, header_url, media_src, preview_src, profile_path, status_path,
              display_name, short_time, iso_time)
}  # fmt: skip


def register(bp: Blueprint) -> None:
    """Make the helpers template globals (call once, from the blueprint that owns the pages)."""
    for name, fn in HELPERS.items():
        bp.add_app_template_global(fn, name)


def field_html(value: str) -> Markup:
    """A profile field's value: our own rendering or a remote server's, sanitised either way."""
    return Markup(sanitize_remote_html(value or ""))


def has_endpoint(name: str) -> bool:
    """Whether a route exists (the layout links the manifest only once the PWA serves one)."""
    return name in current_app.view_functions


HELPERS["field_html"] = field_html
HELPERS["has_endpoint"] = has_endpoint
