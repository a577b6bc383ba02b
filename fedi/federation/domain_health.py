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


def held_back(row: Delivery, now: datetime) -> bool:
    """True when the row's domain is unavailable and this is not its probe: the row waits."""
    health = db.session.get(DomainHealth, row.domain)
    if health is None or not health.unavailable:
        return False
    probe_after = now - PROBE_INTERVAL
    took_probe = db.session.execute(
        update(DomainHealth)
        .where(
            DomainHealth.domain == row.domain,
            or_(
                DomainHealth.last_failure_at.is_(None), DomainHealth.last_failure_at <= probe_after
            ),
        )
        .values(last_failure_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if took_probe:
        db.session.commit()
        return False
    if row.created_at is not None and row.created_at < now - MAX_WAIT:
        row.state, row.next_attempt_at = DeliveryState.FAILED, None
        row.last_error = "domain unavailable"
    else:
        row.next_attempt_at = now + PROBE_INTERVAL
    db.session.commit()
    return True


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
