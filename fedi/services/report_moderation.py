"""The moderators' side of reports (Mastodon's Admin::ReportsController and report notes): the
queue and its filters, a report with its target's earlier reports and the notes, assigning,
resolving and reopening, changing the category or rules, and the actions on the reported posts
(mark them sensitive, delete them). Reports are made by services/reports.py (the client API,
the web form, inbound Flags); every function here takes the staff account `by`, checks
MANAGE_REPORTS and writes the audit log in the transaction of the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from fedi import queue
from fedi.errors import Forbidden, NotFound
from fedi.extensions import db
from fedi.hosts import normalize_host
from fedi.ids import new_id, parse_id
from fedi.models import Account, InstanceRule, Report, ReportCategory, ReportNote, Status, utcnow
from fedi.services import audit_log, statuses
from fedi.services.accounts import invalid, too_long
from fedi.services.pagination import PageParams
from fedi.services.reports import _check_rules, _ids
from fedi.services.staff import Permission, can, require

MAX_NOTE = 2_000  # Mastodon's limit on a report note
HISTORY = 20  # earlier reports shown on a report's page


@dataclass(frozen=True)
class ReportQuery:
    """The queue's filters: open or resolved; the reporter; the target, its origin ("local" or
    "remote") or its domain."""

    resolved: bool = False
    account_id: int | None = None
    target_account_id: int | None = None
    origin: str = ""
    domain: str = ""


def _loaded():
    """A report with everyone it names (reporter and target with their logins), in the query."""
    return select(Report).options(
        joinedload(Report.account).selectinload(Account.user),
        joinedload(Report.target_account).selectinload(Account.user),
        joinedload(Report.assigned_account),
        joinedload(Report.action_taken_by_account),
    )


def list_reports(q: ReportQuery, *, by: Account, page: PageParams) -> list[Report]:
    """A page of the queue, newest first."""
    require(by, Permission.MANAGE_REPORTS)
    query = _loaded().where(
        Report.action_taken_at.is_not(None) if q.resolved else Report.action_taken_at.is_(None)
    )
    if q.account_id is not None:
        query = query.where(Report.account_id == q.account_id)
    if q.target_account_id is not None:
        query = query.where(Report.target_account_id == q.target_account_id)
    targets = select(Account.id)
    if q.origin == "local":
        query = query.where(Report.target_account_id.in_(targets.where(Account.domain.is_(None))))
    elif q.origin == "remote":
        remote = targets.where(Account.domain.is_not(None))
        query = query.where(Report.target_account_id.in_(remote))
    if q.domain:
        domain = normalize_host(q.domain) or q.domain.strip().lower()
        on_domain = targets.where(func.lower(Account.domain) == domain)
        query = query.where(Report.target_account_id.in_(on_domain))
    return page.finish(list(db.session.scalars(page.apply(query, Report.id)).unique()))


def get_report(report_id: Any, *, by: Account) -> Report:
    require(by, Permission.MANAGE_REPORTS)
    number = parse_id(report_id if isinstance(report_id, str) else str(report_id))
    report = db.session.scalar(_loaded().where(Report.id == number)) if number else None
    if report is None:
        raise NotFound("Record not found")
    return report


def _label(report: Report) -> str:
    return f"#{report.id} about @{report.target_account.acct}"


def _record(by: Account, action: str, report: Report, **details: Any) -> None:
    audit_log.record(by, action, "Report", report.id, _label(report), **details)


def assign_to_self(report: Report, *, by: Account) -> Report:
    require(by, Permission.MANAGE_REPORTS)
    report.assigned_account_id = by.id
    _record(by, "assigned_to_self", report)
    db.session.commit()
    return report


def unassign(report: Report, *, by: Account) -> Report:
    require(by, Permission.MANAGE_REPORTS)
    report.assigned_account_id = None
    _record(by, "unassigned", report)
    db.session.commit()
    return report


def _resolve(report: Report, by: Account) -> None:
    report.action_taken_at = utcnow()
    report.action_taken_by_account_id = by.id
    _record(by, "resolve", report)


def _reopen(report: Report, by: Account) -> None:
    report.action_taken_at = None
    report.action_taken_by_account_id = None
    _record(by, "reopen", report)


def resolve(report: Report, *, by: Account) -> Report:
    require(by, Permission.MANAGE_REPORTS)
    _resolve(report, by)
    db.session.commit()
    return report


def reopen(report: Report, *, by: Account) -> Report:
    require(by, Permission.MANAGE_REPORTS)
    _reopen(report, by)
    db.session.commit()
    return report


def update(
    report: Report, *, by: Account, category: str | None = None,
    rule_ids: Sequence[Any] | None = None,
) -> Report:  # fmt: skip
    """Change the category and the rules broken (Mastodon's PUT): what is not given stays;
    rules count only for a violation, and each must exist."""
    require(by, Permission.MANAGE_REPORTS)
    if category is None and rule_ids is None:
        return report
    category_ = report.category
    if category is not None:
        if category not in {c.value for c in ReportCategory}:
            raise invalid("category", "ERR_INCLUSION", "is not included in the list")
        category_ = ReportCategory(category)
    rules = _ids(rule_ids, "rule_ids") if rule_ids is not None else list(report.rule_ids or [])
    if category_ == ReportCategory.VIOLATION:
        _check_rules(rules)
    else:
        rules = []
    report.category = category_
    report.rule_ids = rules or None
    report.updated_at = utcnow()
    _record(by, "update", report, category=category_.value, rule_ids=[str(i) for i in rules])
    db.session.commit()
    return report


def add_note(report: Report, *, by: Account, content: str, then: str = "") -> ReportNote:
    """A note on the report; with `then` "resolve" or "reopen", that too, in one commit (the
    report page's "Resolve with note" and "Reopen with note")."""
    require(by, Permission.MANAGE_REPORTS)
    content = (content or "").strip()
    if not content:
        raise invalid("content", "ERR_BLANK", "can't be blank")
    if len(content) > MAX_NOTE:
        raise too_long("content", MAX_NOTE)
    note = ReportNote(id=new_id(), report_id=report.id, account_id=by.id, content=content)
    db.session.add(note)
    audit_log.record(by, "create", "ReportNote", note.id, _label(report), content=content[:200])
    if then == "resolve" and report.action_taken_at is None:
        _resolve(report, by)
    elif then == "reopen" and report.action_taken_at is not None:
        _reopen(report, by)
    db.session.commit()
    return note


def delete_note(note_id: Any, *, by: Account, report_id: int | None = None) -> Report:
    """Remove a note (of the report `report_id`, when given): its author may, and an admin may
    remove anyone's. Returns its report."""
    require(by, Permission.MANAGE_REPORTS)
    number = parse_id(str(note_id))
    note = db.session.get(ReportNote, number) if number else None
    if note is None or (report_id is not None and note.report_id != report_id):
        raise NotFound("Record not found")
    if note.account_id != by.id and not can(by, Permission.MANAGE_SETTINGS):
        raise Forbidden("This action is not allowed")
    report = db.session.get(Report, note.report_id)
    assert report is not None  # notes go with their report
    audit_log.record(by, "destroy", "ReportNote", note.id, _label(report))
    db.session.delete(note)
    db.session.commit()
    return report


def notes(report: Report) -> list[ReportNote]:
    query = (
        select(ReportNote)
        .options(joinedload(ReportNote.account))
        .where(ReportNote.report_id == report.id)
        .order_by(ReportNote.id)
    )
    return list(db.session.scalars(query))


def history(report: Report) -> list[Report]:
    """The other reports about the same account, newest first."""
    query = (
        select(Report)
        .options(joinedload(Report.account))
        .where(Report.target_account_id == report.target_account_id, Report.id != report.id)
        .order_by(Report.id.desc())
        .limit(HISTORY)
    )
    return list(db.session.scalars(query))


def statuses_of(reports: Sequence[Report]) -> dict[int, Status]:
    """The statuses the reports name, deleted ones included (a report keeps what it was
    about), by id, for a whole page of reports in one query."""
    ids = {i for r in reports for i in r.status_ids or []}
    if not ids:
        return {}
    query = select(Status).options(joinedload(Status.account)).where(Status.id.in_(ids))
    return {s.id: s for s in db.session.scalars(query)}


def rules_of(reports: Sequence[Report]) -> dict[int, InstanceRule]:
    ids = {i for r in reports for i in r.rule_ids or []}
    if not ids:
        return {}
    query = select(InstanceRule).where(InstanceRule.id.in_(ids))
    return {r.id: r for r in db.session.scalars(query)}


def _live_statuses(report: Report) -> list[Status]:
    if not report.status_ids:
        return []
    query = select(Status).where(
        Status.id.in_(report.status_ids),
        Status.deleted_at.is_(None),
        Status.account_id == report.target_account_id,
    )
    return list(db.session.scalars(query.order_by(Status.id)))


def mark_statuses_sensitive(report: Report, *, by: Account) -> int:
    """Mark the reported posts sensitive (their media behind a warning) and resolve the report,
    as Mastodon's batch action from a report does. Returns how many changed."""
    require(by, Permission.MANAGE_REPORTS)
    changed = [s for s in _live_statuses(report) if not s.sensitive]
    for status in changed:
        status.sensitive = True
        audit_log.record(by, "mark_sensitive", "Status", status.id, _label(report))
    if report.action_taken_at is None:
        _resolve(report, by)
    db.session.commit()
    for status in changed:
        queue.enqueue("federate_update", status.id)  # the task sends only local ones
    return len(changed)


def delete_statuses(report: Report, *, by: Account) -> int:
    """Delete the reported posts (from every feed, and a Delete to other servers for local
    ones) and resolve the report, as Mastodon's batch action from a report does."""
    require(by, Permission.MANAGE_REPORTS)
    gone = _live_statuses(report)
    for status in gone:
        statuses.remove(status)
        audit_log.record(by, "destroy", "Status", status.id, _label(report))
    if report.action_taken_at is None:
        _resolve(report, by)
    db.session.commit()
    for status in gone:
        queue.enqueue("status_removed", status.id)
        queue.enqueue("federate_delete", status.id)
    return len(gone)
