"""The instance's long texts: its extended description and its privacy policy.

The extended description can be written on the admins' server settings page
(services/site_settings.py). Otherwise both are HTML files the operator writes in the instance
directory (INSTANCE_DIR):
`extended_description.html` and `privacy_policy.html`; their modification time is their
`updated_at`. Without the first, the extended description is the INSTANCE_DESCRIPTION setting;
without the second, a default policy stating what this software stores and shares.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from fedi.services import site_settings

DEFAULT_POLICY_DATE = datetime(2026, 11, 26, tzinfo=UTC)
DEFAULT_POLICY = """<h2>What this server stores</h2>
<ul>
<li><strong>Your account</strong>: username, e-mail address, a hash of your password, your profile
(display name, bio, avatar, header, fields) and your settings.</li>
<li><strong>What you post and do</strong>: your posts and media, whom you follow, mute and block,
your favourites, boosts, bookmarks and lists.</li>
<li><strong>Sign-ins</strong>: when you last signed in and which applications you authorized.</li>
</ul>
<h2>What other servers receive</h2>
<p>Public, unlisted and followers-only posts are delivered to the servers of your followers and
of the people you mention; direct posts only to the servers of the people mentioned. Other
servers keep their own copies. Followers-only and direct posts are readable by the operators of
this server and of receiving servers: do not share sensitive information here.</p>
<h2>Your choices</h2>
<p>You can delete your posts at any time; deletions are forwarded to the servers that received
them. No data is sold or used for advertising, and no third-party trackers are used.</p>
"""


@dataclass
class Page:
    content: str
    updated_at: datetime | None


def _file_page(name: str) -> Page | None:
    path = Path(current_app.config["FEDI"].INSTANCE_DIR) / name
    if not path.is_file():
        return None
    updated = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return Page(content=path.read_text(encoding="utf-8"), updated_at=updated)


def extended_description() -> Page:
    """The admins' text from the server settings page, else the operator's file, else the
    short description."""
    written = site_settings.text("EXTENDED_DESCRIPTION")
    if written:
        return Page(content=written, updated_at=site_settings.updated_at("EXTENDED_DESCRIPTION"))
    page = _file_page("extended_description.html")
    if page is not None:
        return page
    text = current_app.config["FEDI"].INSTANCE_DESCRIPTION.strip()
    return Page(content=f"<p>{html.escape(text)}</p>" if text else "", updated_at=None)


def privacy_policy() -> Page:
    page = _file_page("privacy_policy.html")
    if page is not None:
        return page
    return Page(content=DEFAULT_POLICY, updated_at=DEFAULT_POLICY_DATE)
