"""More facts about this instance: rules, peers, weekly activity, the about and privacy texts.

The extended description and the privacy policy are HTML files the operator writes in the
instance directory (INSTANCE_DIR): `extended_description.html` and `privacy_policy.html`; their
modification time is their `updated_at`. Without the first, the extended description is the
INSTANCE_DESCRIPTION setting; without the second, a default policy stating what this software
stores and shares.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.ids import id_at
from fedi.models import Account, InstanceRule, OAuthToken, Status, User, utcnow

WEEKS = 12
WEEK = timedelta(days=7)
WEEK_IDS = 7 * 86_400_000 << 16  # one week of Snowflake ids
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


def rules() -> list[InstanceRule]:
    return list(
        db.session.scalars(select(InstanceRule).order_by(InstanceRule.priority, InstanceRule.id))
    )


def peers() -> list[str]:
    """Remote domains this server knows accounts on."""
    return list(
        db.session.scalars(
            select(Account.domain)
            .where(Account.domain.is_not(None))
            .distinct()
            .order_by(Account.domain)
        )
    )


def _buckets(query, column, start_id: int) -> dict[int, int]:
    """{week index: value} for a query selecting (week index, value) grouped by week."""
    bucket = ((column - start_id) // WEEK_IDS).label("week")
    return {int(week): value for week, value in db.session.execute(query(bucket).group_by(bucket))}


def activity() -> list[dict[str, str]]:
    """Twelve weeks, newest first, each starting at midnight UTC: local statuses posted, local
    users active (signed in, used an app, or posted) and sign-ups. Only the latest sign-in and
    app use of each user is stored, so earlier weeks count users by their posts."""
    end = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    first = end - WEEKS * WEEK
    start = id_at(first)
    statuses = _buckets(
        lambda b: select(b, func.count()).where(Status.local.is_(True), Status.id >= start),
        Status.id, start,
    )  # fmt: skip
    registrations = _buckets(
        lambda b: select(b, func.count()).where(User.id >= start), User.id, start
    )
    logins = _active_users(first, start)
    return [
        {
            "week": str(int((first + i * WEEK).timestamp())),
            "statuses": str(statuses.get(i, 0)),
            "logins": str(len(logins.get(i, ()))),
            "registrations": str(registrations.get(i, 0)),
        }
        for i in reversed(range(WEEKS))
    ]


def _active_users(first: datetime, start: int) -> dict[int, set[int]]:
    """Week index -> local account ids active that week."""
    active: dict[int, set[int]] = {}
    bucket = ((Status.id - start) // WEEK_IDS).label("week")
    posted = select(bucket, Status.account_id).where(Status.local.is_(True), Status.id >= start)
    for week, account_id in db.session.execute(posted.distinct()):
        active.setdefault(int(week), set()).add(account_id)
    signed_in = select(User.account_id, User.last_sign_in_at).where(User.last_sign_in_at >= first)
    used = select(OAuthToken.account_id, OAuthToken.last_used_at).where(
        OAuthToken.account_id.is_not(None), OAuthToken.last_used_at >= first
    )
    for query in (signed_in, used):
        for account_id, at in db.session.execute(query):
            active.setdefault((at - first) // WEEK, set()).add(account_id)
    return active


def _file_page(name: str) -> Page | None:
    path = Path(current_app.config["FEDI"].INSTANCE_DIR) / name
    if not path.is_file():
        return None
    updated = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return Page(content=path.read_text(encoding="utf-8"), updated_at=updated)


def extended_description() -> Page:
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
