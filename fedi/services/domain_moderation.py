"""Server-level moderation of other servers (admins: Permission.MANAGE_FEDERATION): domain
blocks and their effects, domain allows, and what is known about a domain (its accounts, the
follows across, its delivery health). The web pages, the admin API and the CLI call these;
the hot paths read the rules through services/domain_policy.py.

Effects of a block, on every account of the domain and its subdomains, stamped with the block's
`created_at` so that undoing it lifts only what it set (not a suspension or limit applied to an
account on its own):
- suspend: the accounts are suspended, every follow and follow request across is ended (both
  ways, without telling the server: nothing is sent to it any more), their posts leave home
  feeds, pending deliveries to the domain are cancelled; from then on its inbound activities
  are refused, nothing is fetched from it and nothing delivered to it (domain_policy.refused);
- silence: the accounts are silenced (hidden from public timelines and from the notifications
  of those who do not follow them), and accounts first seen later are silenced on arrival;
- reject_media: the accounts' avatars and headers are forgotten and their attachments become
  plain links (type unknown, no preview): no media of the domain is shown or fetched. What was
  dropped comes back only when the accounts and posts are fetched again;
- reject_reports: its Flags are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import (
    Account,
    Delivery,
    DeliveryState,
    DomainAllow,
    DomainBlock,
    DomainBlockSeverity,
    DomainHealth,
    FeedEntry,
    Follow,
    FollowRequest,
    MediaAttachment,
    MediaType,
    utcnow,
)
from fedi.services import audit_log, follows, staff
from fedi.services.domain_policy import normalize
from fedi.services.pagination import PageParams
from fedi.services.staff import Permission

MAX_COMMENT = 1000


class Operator:
    """The operator at the command line (`flask fedi domain-block`): trusted, and recorded in
    the audit log without an account."""

    id = None
    acct = "operator (command line)"


OPERATOR = Operator()
Actor = Account | Operator


def check(by: Actor) -> None:
    """Refuse unless `by` may manage federation (the command line always may)."""
    _check(by)


def _check(by: Actor) -> None:
    if not isinstance(by, Operator):
        staff.require(by, Permission.MANAGE_FEDERATION)


def _record(by: Actor, action: str, target_type: str, target_id: int | None, label: str,
            **details) -> None:  # fmt: skip
    if isinstance(by, Operator):
        details["via"] = "command line"
    audit_log.record(by, action, target_type, target_id, label, **details)  # type: ignore[arg-type]


class ExistingBlock(Unprocessable):
    """A block of the domain (or a stricter one of a parent domain) is already in place."""

    def __init__(self, existing: DomainBlock) -> None:
        super().__init__(f"You have already imposed stricter limits on {existing.domain}.")
        self.existing = existing


@dataclass(frozen=True)
class BlockForm:
    """What an admin sets on a domain block (None: unchanged, on an update)."""

    severity: str | None = None
    reject_media: bool | None = None
    reject_reports: bool | None = None
    private_comment: str | None = None
    public_comment: str | None = None
    obfuscate: bool | None = None


SEVERITY_ORDER = {DomainBlockSeverity.NOOP: 0, DomainBlockSeverity.SILENCE: 1,
                  DomainBlockSeverity.SUSPEND: 2}  # fmt: skip


def _severity(value: str | None) -> DomainBlockSeverity:
    try:
        return DomainBlockSeverity((value or "silence").strip().lower())
    except ValueError:
        problem = {"error": "ERR_INCLUSION", "description": "is not included in the list"}
        raise Unprocessable(
            "Validation failed: Severity is not included in the list",
            details={"severity": [problem]},
        ) from None


def _comment(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_COMMENT:
        raise Unprocessable(
            f"Validation failed: {field.replace('_', ' ').capitalize()} is too long "
            f"(maximum is {MAX_COMMENT} characters)",
            details={field: [{"error": "ERR_TOO_LONG", "description": "is too long"}]},
        )
    return value


def _stricter(new: DomainBlock | BlockForm, old: DomainBlock) -> bool:
    """Whether `new` limits more than `old` in some way (Mastodon's `stricter_than?`)."""
    severity = _severity(new.severity)
    if old.severity == DomainBlockSeverity.SUSPEND:
        return False
    return (
        SEVERITY_ORDER[severity] > SEVERITY_ORDER[old.severity]
        or (bool(new.reject_media) and not old.reject_media)
        or (bool(new.reject_reports) and not old.reject_reports)
    )


def _covering(domain: str) -> DomainBlock | None:
    from fedi.services.domain_policy import candidates

    keys = candidates(domain)
    found = db.session.scalars(select(DomainBlock).where(DomainBlock.domain.in_(keys)))
    rows = {b.domain: b for b in found}
    return next((rows[k] for k in keys if k in rows), None)


# -- domain blocks ----------------------------------------------------------------------------


def blocks_page(by: Actor, page: PageParams) -> list[DomainBlock]:
    _check(by)
    return page.finish(list(db.session.scalars(page.apply(select(DomainBlock), DomainBlock.id))))


def all_blocks(by: Actor) -> list[DomainBlock]:
    _check(by)
    return list(db.session.scalars(select(DomainBlock).order_by(DomainBlock.domain)))


def get_block(by: Actor, block_id: int | None) -> DomainBlock:
    _check(by)
    block = db.session.get(DomainBlock, block_id) if block_id else None
    if block is None:
        raise NotFound("Record not found")
    return block


def block_for(by: Actor, domain: str) -> DomainBlock | None:
    """The block stored for exactly this domain, if any."""
    _check(by)
    return db.session.scalar(select(DomainBlock).where(DomainBlock.domain == normalize(domain)))


def create_block(by: Actor, domain: str, form: BlockForm,
                 progress: Callable[[str], None] | None = None) -> DomainBlock:  # fmt: skip
    """Block `domain` and apply the block to its accounts (ExistingBlock when it or a parent
    already has a block at least as strict)."""
    _check(by)
    domain = normalize(domain)
    existing = _covering(domain)
    if existing is not None and (existing.domain == domain or not _stricter(form, existing)):
        raise ExistingBlock(existing)
    block = DomainBlock(
        domain=domain, severity=_severity(form.severity), reject_media=bool(form.reject_media),
        reject_reports=bool(form.reject_reports),
        private_comment=_comment(form.private_comment, "private_comment"),
        public_comment=_comment(form.public_comment, "public_comment"),
        obfuscate=bool(form.obfuscate), created_at=utcnow(),
    )  # fmt: skip
    db.session.add(block)
    db.session.flush()
    _apply(block, progress)
    _record(by, "create", "DomainBlock", block.id, domain, **_details(block))
    db.session.commit()
    return block


def update_block(by: Actor, block_id: int | None, form: BlockForm,
                 progress: Callable[[str], None] | None = None) -> DomainBlock:  # fmt: skip
    """Change a block: its effects are undone and applied again as it now says."""
    block = get_block(by, block_id)
    _undo(block)
    if form.severity is not None:
        block.severity = _severity(form.severity)
    for name in ("reject_media", "reject_reports", "obfuscate"):
        if getattr(form, name) is not None:
            setattr(block, name, bool(getattr(form, name)))
    for name in ("private_comment", "public_comment"):
        if getattr(form, name) is not None:
            setattr(block, name, _comment(getattr(form, name), name))
    db.session.flush()
    _apply(block, progress)
    _record(by, "update", "DomainBlock", block.id, block.domain, **_details(block))
    db.session.commit()
    return block


def delete_block(by: Actor, block_id: int | None) -> DomainBlock:
    """Remove a block and lift what it set on the domain's accounts."""
    block = get_block(by, block_id)
    _undo(block)
    _record(by, "destroy", "DomainBlock", block.id, block.domain, severity=block.severity.value)
    db.session.delete(block)
    db.session.commit()
    return block


def _details(block: DomainBlock) -> dict:
    return {
        "severity": block.severity.value, "reject_media": block.reject_media,
        "reject_reports": block.reject_reports, "obfuscate": block.obfuscate,
        "public_comment": block.public_comment or None,
        "private_comment": block.private_comment or None,
    }  # fmt: skip


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _under(column, domain: str):
    """`column` (a normalised host) is `domain`, on any port, or one of its subdomains."""
    d = _like(domain)
    return or_(
        column == domain,
        column.like(f"{d}:%", escape="\\"),
        column.like(f"%.{d}", escape="\\"),
        column.like(f"%.{d}:%", escape="\\"),
    )


def domain_accounts(domain: str):
    """A select of the ids of the remote accounts under `domain`."""
    return select(Account.id).where(Account.domain.is_not(None), _under(Account.domain, domain))


def _apply(block: DomainBlock, progress: Callable[[str], None] | None) -> None:
    say = progress or (lambda _message: None)
    ids = domain_accounts(block.domain)
    stamp = block.created_at
    if block.severity == DomainBlockSeverity.SUSPEND:
        count = _set_stamp(Account.suspended_at, ids, stamp)
        say(f"{count} accounts suspended")
        severed = _sever_follows(ids)
        say(f"{severed} follows and follow requests ended")
        db.session.execute(delete(FeedEntry).where(FeedEntry.author_id.in_(ids)))
        cancelled = db.session.execute(
            update(Delivery)
            .where(
                _under(Delivery.domain, block.domain),
                Delivery.state.in_((DeliveryState.PENDING, DeliveryState.QUEUED)),
            )
            .values(state=DeliveryState.CANCELLED, next_attempt_at=None, backlog=False)
            .execution_options(synchronize_session=False)
        ).rowcount
        say(f"{cancelled} pending deliveries cancelled")
    elif block.severity == DomainBlockSeverity.SILENCE:
        count = _set_stamp(Account.silenced_at, ids, stamp)
        say(f"{count} accounts limited")
    if block.reject_media or block.severity == DomainBlockSeverity.SUSPEND:
        db.session.execute(
            update(Account).where(Account.id.in_(ids))
            .values(avatar_remote_url=None, header_remote_url=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        db.session.execute(
            update(MediaAttachment)
            .where(MediaAttachment.account_id.in_(ids), MediaAttachment.remote_url.is_not(None))
            .values(type=MediaType.UNKNOWN, blurhash=None)
            .execution_options(synchronize_session=False)
        )
        say("media of the domain dropped")


def _set_stamp(column, ids, stamp: datetime) -> int:
    return db.session.execute(
        update(Account).where(Account.id.in_(ids), column.is_(None))
        .values({column.key: stamp}).execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip


def _sever_follows(ids) -> int:
    """End every follow and follow request between the accounts `ids` and anyone (they are
    remote: the other side is local or on another server that we only mirror)."""
    rows = db.session.execute(
        select(Follow.account_id, Follow.target_account_id).where(
            or_(Follow.account_id.in_(ids), Follow.target_account_id.in_(ids))
        )
    ).all()
    for account_id, target_id in rows:
        follows._remove_follow(account_id, target_id)
    requests = db.session.execute(
        delete(FollowRequest)
        .where(or_(FollowRequest.account_id.in_(ids), FollowRequest.target_account_id.in_(ids)))
        .execution_options(synchronize_session=False)
    ).rowcount
    return len(rows) + (requests or 0)


def _undo(block: DomainBlock) -> None:
    """Lift the suspensions and limits this block set (those stamped with its time)."""
    ids = domain_accounts(block.domain)
    for column in (Account.suspended_at, Account.silenced_at):
        db.session.execute(
            update(Account).where(Account.id.in_(ids), column == block.created_at)
            .values({column.key: None}).execution_options(synchronize_session=False)
        )  # fmt: skip


# -- domain allows ----------------------------------------------------------------------------


def allows_page(by: Actor, page: PageParams) -> list[DomainAllow]:
    _check(by)
    return page.finish(list(db.session.scalars(page.apply(select(DomainAllow), DomainAllow.id))))


def all_allows(by: Actor) -> list[DomainAllow]:
    _check(by)
    return list(db.session.scalars(select(DomainAllow).order_by(DomainAllow.domain)))


def get_allow(by: Actor, allow_id: int | None) -> DomainAllow:
    _check(by)
    allow = db.session.get(DomainAllow, allow_id) if allow_id else None
    if allow is None:
        raise NotFound("Record not found")
    return allow


def create_allow(by: Actor, domain: str) -> DomainAllow:
    """Allow `domain` (and its subdomains) in limited federation mode; an existing allow of the
    same domain is returned as it is."""
    _check(by)
    domain = normalize(domain)
    allow = db.session.scalar(select(DomainAllow).where(DomainAllow.domain == domain))
    if allow is not None:
        return allow
    allow = DomainAllow(domain=domain)
    db.session.add(allow)
    db.session.flush()
    _record(by, "create", "DomainAllow", allow.id, domain)
    db.session.commit()
    return allow


def delete_allow(by: Actor, allow_id: int | None) -> None:
    allow = get_allow(by, allow_id)
    _record(by, "destroy", "DomainAllow", allow.id, allow.domain)
    db.session.delete(allow)
    db.session.commit()


# -- what is known about a domain -------------------------------------------------------------


@dataclass(frozen=True)
class KnownDomain:
    domain: str
    accounts: int


@dataclass(frozen=True)
class DomainSummary:
    domain: str
    accounts: int
    suspended_accounts: int
    silenced_accounts: int
    followers: int  # follows from its accounts to local ones
    following: int  # follows from local accounts to its ones
    failed_deliveries: int
    pending_deliveries: int
    health: DomainHealth | None
    block: DomainBlock | None  # the one covering it, if any
    allow: DomainAllow | None


def known_domains(by: Actor, *, query: str = "", limit: int = 200) -> list[KnownDomain]:
    """Domains we know accounts of, most accounts first (one grouped query)."""
    _check(by)
    statement = select(Account.domain, func.count()).where(Account.domain.is_not(None))
    if query:
        statement = statement.where(Account.domain.like(f"%{_like(query.lower())}%", escape="\\"))
    rows = db.session.execute(
        statement.group_by(Account.domain)
        .order_by(func.count().desc(), Account.domain)
        .limit(limit)
    ).all()
    return [KnownDomain(domain=d, accounts=n) for d, n in rows]


def summary(by: Actor, domain: str) -> DomainSummary:
    _check(by)
    domain = normalize(domain)
    ids = domain_accounts(domain)
    counts = db.session.execute(
        select(
            func.count(),
            func.count(Account.suspended_at),
            func.count(Account.silenced_at),
        ).where(Account.id.in_(ids))
    ).one()
    local = select(Account.id).where(Account.domain.is_(None))
    followers = db.session.scalar(
        select(func.count()).select_from(Follow)
        .where(Follow.account_id.in_(ids), Follow.target_account_id.in_(local))
    )  # fmt: skip
    following = db.session.scalar(
        select(func.count()).select_from(Follow)
        .where(Follow.target_account_id.in_(ids), Follow.account_id.in_(local))
    )  # fmt: skip
    failed, pending = db.session.execute(
        select(
            func.count().filter(Delivery.state == DeliveryState.FAILED),
            func.count().filter(Delivery.state.in_((DeliveryState.PENDING, DeliveryState.QUEUED))),
        ).where(Delivery.domain == domain)
    ).one()
    return DomainSummary(
        domain=domain, accounts=counts[0], suspended_accounts=counts[1],
        silenced_accounts=counts[2], followers=followers or 0, following=following or 0,
        failed_deliveries=failed or 0, pending_deliveries=pending or 0,
        health=db.session.get(DomainHealth, domain), block=_covering(domain),
        allow=db.session.scalar(select(DomainAllow).where(DomainAllow.domain == domain)),
    )  # fmt: skip


def clear_health(by: Actor, domain: str) -> bool:
    """Forget the domain's delivery failures (and its unavailable marking): its waiting
    deliveries become due now. False when there was nothing to clear."""
    _check(by)
    domain = normalize(domain)
    health = db.session.get(DomainHealth, domain)
    if health is None:
        return False
    _record(by, "clear_health", "Domain", None, domain, unavailable=health.unavailable,
            failure_days=health.failure_days)  # fmt: skip
    db.session.delete(health)
    db.session.execute(
        update(Delivery)
        .where(Delivery.domain == domain, Delivery.state == DeliveryState.PENDING)
        .values(next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


# -- what the public sees ---------------------------------------------------------------------


def public_blocks() -> list[DomainBlock]:
    """The blocks with an effect users can notice (limited, suspended, or media rejected), for
    the about page and GET /api/v1/instance/domain_blocks; each shows its public comment, and
    its domain starred when `obfuscate` (entities/admin_blocks.public_domain)."""
    return list(
        db.session.scalars(
            select(DomainBlock)
            .where(
                or_(
                    DomainBlock.severity != DomainBlockSeverity.NOOP,
                    DomainBlock.reject_media.is_(True),
                )
            )
            .order_by(DomainBlock.domain)
        )
    )
