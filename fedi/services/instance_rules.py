"""The server's rules, in the order the about page, sign-up and the API list them, and how the
admins write them (Permission.MANAGE_RULES; each change in the audit log). Deleting a rule
leaves the reports that cite it as they were: they keep its id, and show what still exists."""

from __future__ import annotations

from sqlalchemy import func, select

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, InstanceRule
from fedi.services import audit_log
from fedi.services.staff import Permission, require

TEXT_LIMIT = 300
HINT_LIMIT = 1_000


def rules() -> list[InstanceRule]:
    return list(
        db.session.scalars(select(InstanceRule).order_by(InstanceRule.priority, InstanceRule.id))
    )


def get(rule_id: object) -> InstanceRule:
    key = parse_id(rule_id)
    rule = db.session.get(InstanceRule, key) if key is not None else None
    if rule is None:
        raise NotFound("Record not found")
    return rule


def _checked(text: str, hint: str) -> tuple[str, str]:
    text, hint = (text or "").strip(), (hint or "").strip()
    if not text:
        raise Unprocessable("A rule needs a text")
    if len(text) > TEXT_LIMIT:
        raise Unprocessable(f"A rule's text is at most {TEXT_LIMIT} characters")
    if len(hint) > HINT_LIMIT:
        raise Unprocessable(f"A rule's explanation is at most {HINT_LIMIT} characters")
    return text, hint


def create(*, text: str, hint: str = "", by: Account) -> InstanceRule:
    """A new rule, listed last."""
    require(by, Permission.MANAGE_RULES)
    text, hint = _checked(text, hint)
    last = db.session.scalar(select(func.max(InstanceRule.priority))) or 0
    rule = InstanceRule(text=text, hint=hint, priority=last + 1)
    db.session.add(rule)
    db.session.flush()
    audit_log.record(by, "create", "Rule", rule.id, text)
    db.session.commit()
    return rule


def update(rule_id: object, *, text: str, hint: str = "", by: Account) -> InstanceRule:
    require(by, Permission.MANAGE_RULES)
    rule = get(rule_id)
    rule.text, rule.hint = _checked(text, hint)
    audit_log.record(by, "update", "Rule", rule.id, rule.text)
    db.session.commit()
    return rule


def delete(rule_id: object, *, by: Account) -> None:
    require(by, Permission.MANAGE_RULES)
    rule = get(rule_id)
    audit_log.record(by, "destroy", "Rule", rule.id, rule.text)
    db.session.delete(rule)
    db.session.commit()


def move(rule_id: object, offset: int, *, by: Account) -> None:
    """Move a rule `offset` places up (negative) or down in the list, renumbering them all."""
    require(by, Permission.MANAGE_RULES)
    rule = get(rule_id)
    ordered = rules()
    index = ordered.index(rule)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for priority, row in enumerate(ordered, start=1):
        row.priority = priority
    audit_log.record(by, "reorder", "Rule", rule.id, rule.text, position=target + 1)
    db.session.commit()
