"""The instance's weekly activity: local statuses, active users and sign-ups per week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from fedi.extensions import db
from fedi.ids import id_at
from fedi.models import OAuthToken, Status, User, utcnow

WEEKS = 12
WEEK = timedelta(days=7)
WEEK_IDS = 7 * 86_400_000 << 16  # one week of Snowflake ids


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
