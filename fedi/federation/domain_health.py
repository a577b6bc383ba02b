"""Domain health for outbound delivery: a domain whose deliveries fail on `FAILURE_DAYS`
distinct days is marked unavailable, as Mastodon does. Its rows then wait, with one probe per
`PROBE_INTERVAL`, and are dropped after `MAX_WAIT`; the first success clears the record and
makes the waiting rows due at once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update

from fedi.extensions import db
from fedi.models import Delivery, DeliveryState, DomainHealth
from fedi.services.upsert import insert_ignore

log = logging.getLogger(__name__)

FAILURE_DAYS = 7  # distinct days of failure before a domain is unavailable (as Mastodon)
PROBE_INTERVAL = timedelta(hours=1)
MAX_WAIT = timedelta(days=14)  # rows held for an unavailable domain are dropped after this


def not_held_back(due: list[tuple[int, str]], now: datetime) -> list[int]:
    """The ids of these (id, domain) rows that may be tried now: all but those of unavailable
    domains, which send one row each (their oldest here) as a probe per PROBE_INTERVAL. The
    others wait for the next probe, or fail once they are older than MAX_WAIT (a few statements
    per domain, not per row)."""
    domains = {domain for _, domain in due}
    unavailable = set(
        db.session.scalars(
            select(DomainHealth.domain).where(
                DomainHealth.unavailable.is_(True), DomainHealth.domain.in_(domains)
            )
        )
        if domains
        else ()
    )
    if not unavailable:
        return [row_id for row_id, _ in due]
    probing = {domain for domain in sorted(unavailable) if _take_probe(domain, now)}
    going, waiting = [], []
    for row_id, domain in due:
        if domain not in unavailable:
            going.append(row_id)
        elif domain in probing:
            going.append(row_id)
            probing.discard(domain)  # one probe per domain
        else:
            waiting.append(row_id)
    if waiting:
        _wait(waiting, now)
    db.session.commit()
    return going


def _take_probe(domain: str, now: datetime) -> bool:
    """Claim the domain's probe (at most one per PROBE_INTERVAL, whichever worker asks)."""
    return bool(
        db.session.execute(
            update(DomainHealth)
            .where(
                DomainHealth.domain == domain,
                or_(
                    DomainHealth.last_failure_at.is_(None),
                    DomainHealth.last_failure_at <= now - PROBE_INTERVAL,
                ),
            )
            .values(last_failure_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _wait(ids: list[int], now: datetime) -> None:
    """Rows held back: due again at the next probe (in their inbox's backlog: newer rows to the
    inbox wait behind them), or failed when too old."""
    rows = Delivery.id.in_(ids)
    too_old = Delivery.created_at < now - MAX_WAIT
    db.session.execute(
        update(Delivery)
        .where(rows, too_old)
        .values(
            state=DeliveryState.FAILED,
            next_attempt_at=None,
            last_error="domain unavailable",
            backlog=False,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Delivery)
        .where(rows, or_(Delivery.created_at.is_(None), ~too_old))
        .values(next_attempt_at=now + PROBE_INTERVAL, backlog=True)
        .execution_options(synchronize_session=False)
    )


def failed(domain: str, now: datetime) -> None:
    """Count a failure day for the domain; enough distinct days make it unavailable."""
    db.session.execute(
        insert_ignore(DomainHealth, [{"domain": domain, "failure_days": 0}], ["domain"])
    )
    health = db.session.scalar(
        select(DomainHealth).where(DomainHealth.domain == domain).with_for_update()
    )
    if health is None:
        return
    last = health.last_failure_at
    if last is None or last.date() != now.date():
        health.failure_days += 1
    health.first_failure_at = health.first_failure_at or now
    health.last_failure_at = now
    if health.failure_days >= FAILURE_DAYS and not health.unavailable:
        health.unavailable = True
        log.warning("delivery: %s failed on %d days, marked unavailable", domain, FAILURE_DAYS)


def recovered(domains: set[str], now: datetime, in_flight: timedelta) -> None:
    """A success clears the domain's record; rows held for an unavailable domain become due."""
    if not domains:
        return
    found = db.session.scalars(select(DomainHealth).where(DomainHealth.domain.in_(domains)))
    for health in found.all():
        if health.unavailable:
            log.info("delivery: %s is reachable again", health.domain)
            db.session.execute(
                update(Delivery)
                .where(
                    and_(Delivery.domain == health.domain, Delivery.state == DeliveryState.PENDING),
                    Delivery.next_attempt_at > now + in_flight,  # not those being tried now
                )
                .values(next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
        db.session.execute(delete(DomainHealth).where(DomainHealth.domain == health.domain))
    db.session.commit()
