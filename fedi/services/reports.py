"""Reports to the moderators, as Mastodon's ReportService: from a local account through the
client API, or from another server through a Flag (`receive_flag`). Staff (admins and
moderators) get an `admin.report` notification unless an unresolved report about the same
account is already waiting; a local report about a remote account may be forwarded to its
server as a Flag from our instance actor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import exists, or_, select

from fedi import queue
from fedi.errors import NotFound
from fedi.extensions import db
from fedi.hosts import normalize_host
from fedi.ids import new_id, parse_id
from fedi.models import (
    Account,
    Follow,
    InstanceRule,
    Mention,
    NotificationType,
    Report,
    ReportCategory,
    Role,
    Status,
    User,
    Visibility,
)
from fedi.services import account_lookup, notifications, statuses, timelines, visibility
from fedi.services.accounts import invalid, too_long
from fedi.services.pagination import PageParams

MAX_COMMENT = 1_000  # a local reporter's comment (Mastodon's limit)
MAX_REMOTE_COMMENT = 5_000  # what we keep of a Flag's content
MAX_STATUSES = 100  # statuses attached to one report


def _ids(values: Iterable[Any], field: str) -> list[int]:
    """Distinct positive integer ids from request values (strings or numbers)."""
    out: list[int] = []
    for value in values:
        number = parse_id(value if isinstance(value, int) else str(value))
        if number is None:
            raise invalid(field, "ERR_INVALID", "is invalid")
        out.append(number)
    return list(dict.fromkeys(out))


def _plain(text: str) -> str:
    """A remote comment as plain text without control characters (it is shown escaped)."""
    return "".join(ch for ch in text or "" if ch >= " " or ch in "\n\t").strip()


def _category(value: str | None, rule_ids: list[int]) -> ReportCategory:
    """Rules make it a violation, whatever was asked (as Mastodon); else the category or
    `other`."""
    if rule_ids:
        return ReportCategory.VIOLATION
    if not value:
        return ReportCategory.OTHER
    try:
        return ReportCategory(value)
    except ValueError:
        raise invalid("category", "ERR_INCLUSION", "is not included in the list") from None


def _check_rules(rule_ids: list[int]) -> None:
    if not rule_ids:
        return
    found = db.session.scalars(select(InstanceRule.id).where(InstanceRule.id.in_(rule_ids)))
    if len(set(found)) != len(rule_ids):
        raise invalid("rule_ids", "ERR_INVALID", "does not reference valid rules")


def _reportable_by_local(reporter: Account, target: Account, status_ids: list[int]) -> list[int]:
    """Every asked status must be the target's and one the reporter may see (a deleted one
    counts when it was public or unlisted): otherwise the whole report is "not found", as
    Mastodon answers."""
    if len(status_ids) > MAX_STATUSES:
        raise invalid("status_ids", "ERR_TOO_LONG", f"is too long (maximum is {MAX_STATUSES})")
    rows = {s.id: s for s in db.session.scalars(select(Status).where(Status.id.in_(status_ids)))}
    for status_id in status_ids:
        status = rows.get(status_id)
        if status is None or status.account_id != target.id or status.reblog_of_id is not None:
            raise NotFound("Record not found")
        if status.deleted_at is not None:
            if status.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
                raise NotFound("Record not found")
        elif not visibility.can_see(reporter, status):
            raise NotFound("Record not found")
    return status_ids


def _reportable_by_remote(reporter: Account, target: Account, status_ids: list[int]) -> list[int]:
    """A Flag may name only the target's statuses that the reporter's server could have
    received: public and unlisted ones, private ones when someone there follows the target,
    and any that mention someone there (Mastodon's rule; deleted ones stay)."""
    if not status_ids or reporter.domain is None:
        return []
    domain = reporter.domain.lower()
    on_domain = select(Account.id).where(Account.domain == domain)
    follower_there = exists(
        select(Follow.id).where(
            Follow.target_account_id == target.id, Follow.account_id.in_(on_domain)
        )
    )
    mentions_there = exists(
        select(Mention.id).where(Mention.status_id == Status.id, Mention.account_id.in_(on_domain))
    )
    seen = or_(
        Status.visibility.in_([Visibility.PUBLIC, Visibility.UNLISTED]),
        (Status.visibility == Visibility.PRIVATE) & follower_there,
        mentions_there,
    )
    query = select(Status.id).where(
        Status.id.in_(status_ids[:MAX_STATUSES]),
        Status.account_id == target.id,
        Status.reblog_of_id.is_(None),
        seen,
    )
    found = set(db.session.scalars(query))
    return [i for i in status_ids if i in found]


def create_report(
    *, reporter: Account, target: Account, status_ids: Sequence[Any] = (), comment: str = "",
    category: str | None = None, rule_ids: Sequence[Any] = (), forward: bool = False,
    forward_to_domains: Sequence[str] | None = None,
) -> Report:  # fmt: skip
    """A local account reports `target`. 404 when the target (or a status) is not one the
    reporter may report; 422 with Mastodon's wording for a bad comment, category or rule.

    With `forward`, a remote target's report goes as a Flag to `forward_to_domains` (by default
    the target's own): to the target's server if its domain is listed (the report is then
    `forwarded`), and to the listed servers of the accounts the reported statuses reply to."""
    if target.suspended_at is not None:
        raise NotFound("Record not found")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise too_long("comment", MAX_COMMENT)
    rules = _ids(rule_ids, "rule_ids")
    category_ = _category(category, rules)
    if category_ == ReportCategory.VIOLATION:
        _check_rules(rules)
    else:
        rules = []
    statuses = _reportable_by_local(reporter, target, _ids(status_ids, "status_ids"))
    domains = _forward_domains(target, forward_to_domains) if forward and not target.local else []
    forwarded = target.domain in domains
    report = Report(
        id=new_id(), account_id=reporter.id, target_account_id=target.id, status_ids=statuses,
        comment=comment, category=category_, rule_ids=rules or None, forwarded=forwarded,
    )  # fmt: skip
    _store_and_notify(report)
    if domains:
        queue.enqueue("federate_flag", report.id, domains)
    return report


def _forward_domains(target: Account, given: Sequence[str] | None) -> list[str]:
    """The normalised domains to forward to; the target's own when none are given."""
    if not given:
        return [target.domain] if target.domain else []
    found = (normalize_host(d) for d in given if isinstance(d, str))
    return list(dict.fromkeys(d for d in found if d))


def receive_flag(
    *, reporter: Account, target: Account, status_ids: Sequence[int], comment: str,
    uri: str | None,
) -> Report | None:  # fmt: skip
    """Another server reports one of our accounts (the reporter is its instance actor or one
    of its users). Idempotent on the Flag's id; None when the target cannot be reported."""
    if reporter.local or not target.local or target.suspended_at is not None:
        return None
    if uri is not None:
        existing = db.session.scalar(
            select(Report).where(Report.uri == uri, Report.target_account_id == target.id)
        )
        if existing is not None:
            return existing
    report = Report(
        id=new_id(), account_id=reporter.id, target_account_id=target.id,
        status_ids=_reportable_by_remote(reporter, target, list(dict.fromkeys(status_ids))),
        comment=_plain(comment)[:MAX_REMOTE_COMMENT], category=ReportCategory.OTHER,
        rule_ids=None, forwarded=False, uri=uri,
    )  # fmt: skip
    _store_and_notify(report)
    return report


def _staff() -> list[int]:
    return list(
        db.session.scalars(
            select(User.account_id)
            .join(Account, Account.id == User.account_id)
            .where(
                User.role.in_([Role.ADMIN, Role.MODERATOR]),
                User.disabled.is_(False),
                Account.suspended_at.is_(None),
            )
        )
    )


def _unresolved_siblings(report: Report) -> bool:
    """Another unresolved report about the same account: its staff were told already."""
    return (
        db.session.scalar(
            select(Report.id)
            .where(
                Report.target_account_id == report.target_account_id,
                Report.action_taken_at.is_(None),
                Report.id != report.id,
            )
            .limit(1)
        )
        is not None
    )


def _store_and_notify(report: Report) -> None:
    """Insert the report and the staff's notifications in one commit, then publish them."""
    db.session.add(report)
    db.session.flush()
    created = []
    if not _unresolved_siblings(report):
        created = notifications.notify_many(
            recipients=_staff(), sender=report.account, type_=NotificationType.ADMIN_REPORT
        )
        for notification in created:
            notification.report_id = report.id
    db.session.commit()
    notifications.publish(created)


def get_for_flag(report_id: int) -> Report | None:
    """A report about a remote account, for building its Flag."""
    report = db.session.get(Report, report_id)
    return report if report is not None and not report.target_account.local else None


def reported_statuses(report: Report) -> list[Status]:
    """The report's statuses that still exist, oldest first."""
    if not report.status_ids:
        return []
    query = select(Status).where(Status.id.in_(report.status_ids)).order_by(Status.id)
    return list(db.session.scalars(query))


def require_reportable(account_id: Any) -> Account:
    """The account a local user wants to report (404 for unknown and suspended ones)."""
    target = account_lookup.get_account(account_id)
    if target.suspended_at is not None:
        raise NotFound("Record not found")
    return target


def reportable_statuses(
    reporter: Account, target: Account, *, include: Any = None, limit: int = 20
) -> list[Status]:
    """What the report form offers to attach: the target's recent posts the reporter may see
    (boosts left out), newest first, with the post `include` first when it is the target's and
    older than those."""
    page = PageParams(limit=limit)
    rows = timelines.account_statuses(reporter, target, page, exclude_reblogs=True)
    if include is not None and all(str(s.id) != str(include) for s in rows):
        try:
            asked = statuses.get_visible(include, reporter)
        except NotFound:
            asked = None
        if asked is not None and asked.account_id == target.id and asked.reblog_of_id is None:
            rows = [asked, *rows]
    return rows
