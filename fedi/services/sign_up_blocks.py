"""Who may sign up (admins manage these: Permission.MANAGE_BLOCKS): e-mail domain blocks (the
address's domain and every parent of it; no MX lookup), canonical e-mail blocks (the SHA-256 of
an address's canonical form, Mastodon's: lower case, dots and anything after `+` removed from
the local part) and IP blocks (a CIDR range with a severity: sign-ups need approval, sign-ups
refused, or no access at all: no sign-up, no sign-in, no API use).

services/registrations.py asks `check_address` and `check_email` on every sign-up; the sign-in
paths and the API's token check ask `access_denied`. Active IP blocks are kept per process for
CACHE_SECONDS and dropped when this process commits a change to them."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from fedi import db_watch
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import (
    Account,
    CanonicalEmailBlock,
    EmailDomainBlock,
    IpBlock,
    IpBlockSeverity,
    utcnow,
)
from fedi.services import audit_log, staff
from fedi.services.domain_policy import candidates
from fedi.services.domain_policy import normalize as normalize_domain
from fedi.services.pagination import PageParams
from fedi.services.staff import Permission
from fedi.ttl_cache import TTLCache

CACHE_SECONDS = 60.0
MAX_COMMENT = 1000
MAX_EXPIRES_IN = 10 * 365 * 86400


def _invalid(field: str, error: str, description: str) -> Unprocessable:
    return Unprocessable(
        f"Validation failed: {field.replace('_', ' ').capitalize()} {description}",
        details={field: [{"error": error, "description": description}]},
    )


def _taken(field: str) -> Unprocessable:
    return _invalid(field, "ERR_TAKEN", "has already been taken")


def _get(model, row_id: int | None):
    row = db.session.get(model, row_id) if row_id else None
    if row is None:
        raise NotFound("Record not found")
    return row


def _page(model, page: PageParams) -> list:
    return page.finish(list(db.session.scalars(page.apply(select(model), model.id))))


# -- e-mail domain blocks ---------------------------------------------------------------------


def email_domain_blocks_page(by: Account, page: PageParams) -> list[EmailDomainBlock]:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return _page(EmailDomainBlock, page)


def all_email_domain_blocks(by: Account) -> list[EmailDomainBlock]:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return list(db.session.scalars(select(EmailDomainBlock).order_by(EmailDomainBlock.domain)))


def get_email_domain_block(by: Account, block_id: int | None) -> EmailDomainBlock:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return _get(EmailDomainBlock, block_id)


def create_email_domain_block(
    by: Account, domain: str, *, allow_with_approval: bool = False
) -> EmailDomainBlock:
    staff.require(by, Permission.MANAGE_BLOCKS)
    if not (domain or "").strip():
        raise _invalid("domain", "ERR_BLANK", "can't be blank")
    domain = normalize_domain(domain)
    if db.session.scalar(select(EmailDomainBlock.id).where(EmailDomainBlock.domain == domain)):
        raise _taken("domain")
    block = EmailDomainBlock(domain=domain, allow_with_approval=bool(allow_with_approval))
    db.session.add(block)
    db.session.flush()
    audit_log.record(by, "create", "EmailDomainBlock", block.id, domain,
                     allow_with_approval=block.allow_with_approval or None)  # fmt: skip
    db.session.commit()
    return block


def delete_email_domain_block(by: Account, block_id: int | None) -> None:
    block = get_email_domain_block(by, block_id)
    audit_log.record(by, "destroy", "EmailDomainBlock", block.id, block.domain)
    db.session.delete(block)
    db.session.commit()


# -- canonical e-mail blocks ------------------------------------------------------------------


def canonical_email(email: str) -> str:
    """Mastodon's canonical form: lower case; in the local part, dots removed and everything
    from the first `+` dropped."""
    local, _, domain = (email or "").strip().lower().partition("@")
    local = local.replace(".", "").split("+", 1)[0]
    return f"{local}@{domain}"


def canonical_email_hash(email: str) -> str:
    return hashlib.sha256(canonical_email(email).encode()).hexdigest()


_HASH = re.compile(r"^[0-9a-f]{64}$")


def canonical_email_blocks_page(by: Account, page: PageParams) -> list[CanonicalEmailBlock]:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return _page(CanonicalEmailBlock, page)


def get_canonical_email_block(by: Account, block_id: int | None) -> CanonicalEmailBlock:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return _get(CanonicalEmailBlock, block_id)


def matching_canonical_email_blocks(by: Account, email: str) -> list[CanonicalEmailBlock]:
    """The blocks an address would meet (the API's `test`)."""
    staff.require(by, Permission.MANAGE_BLOCKS)
    digest = canonical_email_hash(email)
    return list(
        db.session.scalars(
            select(CanonicalEmailBlock).where(CanonicalEmailBlock.canonical_email_hash == digest)
        )
    )


def create_canonical_email_block(
    by: Account, *, email: str | None = None, canonical_email_hash_value: str | None = None
) -> CanonicalEmailBlock:
    """Block an address (given plainly, or as its canonical hash)."""
    staff.require(by, Permission.MANAGE_BLOCKS)
    if email:
        digest = canonical_email_hash(email)
    else:
        digest = (canonical_email_hash_value or "").strip().lower()
        if not digest:
            raise _invalid("canonical_email_hash", "ERR_BLANK", "can't be blank")
        if not _HASH.match(digest):
            raise _invalid("canonical_email_hash", "ERR_INVALID", "is invalid")
    taken = select(CanonicalEmailBlock.id).where(CanonicalEmailBlock.canonical_email_hash == digest)
    if db.session.scalar(taken):
        raise _taken("canonical_email_hash")
    block = CanonicalEmailBlock(canonical_email_hash=digest)
    db.session.add(block)
    db.session.flush()
    audit_log.record(by, "create", "CanonicalEmailBlock", block.id, digest)
    db.session.commit()
    return block


def delete_canonical_email_block(by: Account, block_id: int | None) -> None:
    block = get_canonical_email_block(by, block_id)
    audit_log.record(by, "destroy", "CanonicalEmailBlock", block.id, block.canonical_email_hash)
    db.session.delete(block)
    db.session.commit()


# -- IP blocks --------------------------------------------------------------------------------


def parse_ip(value: str) -> str:
    """A CIDR range in the stored form (`192.0.2.0/24`, `2001:db8::/32`, `192.0.2.7/32`)."""
    value = (value or "").strip()
    if not value:
        raise _invalid("ip", "ERR_BLANK", "can't be blank")
    try:
        return ipaddress.ip_network(value, strict=False).with_prefixlen
    except ValueError:
        raise _invalid("ip", "ERR_INVALID", "is invalid") from None


def _ip_severity(value: str | None) -> IpBlockSeverity:
    if not value:
        raise _invalid("severity", "ERR_BLANK", "can't be blank")
    try:
        return IpBlockSeverity(value)
    except ValueError:
        raise _invalid("severity", "ERR_INCLUSION", "is not included in the list") from None


def _expires_at(expires_in: int | None) -> datetime | None:
    if expires_in is None:
        return None
    if expires_in <= 0 or expires_in > MAX_EXPIRES_IN:
        raise _invalid("expires_in", "ERR_INVALID", "is invalid")
    return utcnow() + timedelta(seconds=expires_in)


def _comment(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > MAX_COMMENT:
        too_long = f"is too long (maximum is {MAX_COMMENT} characters)"
        raise _invalid("comment", "ERR_TOO_LONG", too_long)
    return value


def _active_ip_blocks():
    return or_(IpBlock.expires_at.is_(None), IpBlock.expires_at > utcnow())


def ip_blocks_page(by: Account, page: PageParams) -> list[IpBlock]:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return page.finish(
        list(db.session.scalars(page.apply(select(IpBlock).where(_active_ip_blocks()), IpBlock.id)))
    )


def all_ip_blocks(by: Account) -> list[IpBlock]:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return list(db.session.scalars(select(IpBlock).where(_active_ip_blocks()).order_by(IpBlock.ip)))


def get_ip_block(by: Account, block_id: int | None) -> IpBlock:
    staff.require(by, Permission.MANAGE_BLOCKS)
    return _get(IpBlock, block_id)


def create_ip_block(by: Account, *, ip: str, severity: str | None, comment: str = "",
                    expires_in: int | None = None) -> IpBlock:  # fmt: skip
    staff.require(by, Permission.MANAGE_BLOCKS)
    network = parse_ip(ip)
    block = IpBlock(ip=network, severity=_ip_severity(severity), comment=_comment(comment),
                    expires_at=_expires_at(expires_in))  # fmt: skip
    existing = db.session.scalar(select(IpBlock).where(IpBlock.ip == network))
    if existing is not None:
        if existing.expires_at is None or existing.expires_at > utcnow():
            raise _taken("ip")
        db.session.delete(existing)  # an expired block of the same range gives way
        db.session.flush()
    db.session.add(block)
    db.session.flush()
    expires = block.expires_at.isoformat() if block.expires_at else None
    audit_log.record(by, "create", "IpBlock", block.id, network, severity=block.severity.value,
                     comment=block.comment or None, expires_at=expires)  # fmt: skip
    db.session.commit()
    return block


def update_ip_block(by: Account, block_id: int | None, *, ip: str | None = None,
                    severity: str | None = None, comment: str | None = None,
                    expires_in: int | None = None) -> IpBlock:  # fmt: skip
    block = get_ip_block(by, block_id)
    if ip is not None:
        network = parse_ip(ip)
        clash = select(IpBlock.id).where(IpBlock.ip == network, IpBlock.id != block.id)
        if db.session.scalar(clash):
            raise _taken("ip")
        block.ip = network
    if severity is not None:
        block.severity = _ip_severity(severity)
    if comment is not None:
        block.comment = _comment(comment)
    if expires_in is not None:
        block.expires_at = _expires_at(expires_in)
    audit_log.record(by, "update", "IpBlock", block.id, block.ip, severity=block.severity.value,
                     comment=block.comment or None)  # fmt: skip
    db.session.commit()
    return block


def delete_ip_block(by: Account, block_id: int | None) -> None:
    block = get_ip_block(by, block_id)
    audit_log.record(by, "destroy", "IpBlock", block.id, block.ip)
    db.session.delete(block)
    db.session.commit()


# -- enforcement ------------------------------------------------------------------------------

_SEVERITY_RANK = {IpBlockSeverity.SIGN_UP_REQUIRES_APPROVAL: 0, IpBlockSeverity.SIGN_UP_BLOCK: 1,
                  IpBlockSeverity.NO_ACCESS: 2}  # fmt: skip
_cache: TTLCache[str, tuple] = TTLCache(CACHE_SECONDS, max_entries=4)
_WRITES = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+ip_blocks\b", re.I)
db_watch.after_commit_of(lambda sql: _WRITES.search(sql) is not None, _cache.clear)


def _networks() -> tuple:
    """(network, severity, expires_at) of the IP blocks in force, from one query."""
    cached = _cache.get("ip")
    if cached is not None:
        return cached
    rows = db.session.execute(
        select(IpBlock.ip, IpBlock.severity, IpBlock.expires_at).where(_active_ip_blocks())
    ).all()
    parsed = tuple(
        (ipaddress.ip_network(ip, strict=False), severity, expires_at)
        for ip, severity, expires_at in rows
    )
    return _cache.put("ip", parsed)


def ip_severity(address: str | None) -> IpBlockSeverity | None:
    """The strictest IP block in force covering `address`, if any."""
    networks = _networks()
    if not networks or not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    now = utcnow()
    found = [
        severity for net, severity, expires_at in networks
        if ip.version == net.version and ip in net and (expires_at is None or expires_at > now)
    ]  # fmt: skip
    return max(found, key=_SEVERITY_RANK.__getitem__) if found else None


def access_denied(address: str | None) -> bool:
    """Whether the address may not use this server at all (an IP block of `no_access`)."""
    return ip_severity(address) == IpBlockSeverity.NO_ACCESS


def sign_up_refused(address: str | None) -> bool:
    return ip_severity(address) in (IpBlockSeverity.SIGN_UP_BLOCK, IpBlockSeverity.NO_ACCESS)


@dataclass(frozen=True)
class EmailVerdict:
    needs_approval: bool


def check_email(email: str, address: str | None) -> EmailVerdict:
    """Whether this address may sign up: Mastodon's 422 on the e-mail when its domain (or a
    parent domain) is blocked, or its canonical form is; else whether the sign-up needs a
    moderator's approval (an IP block or an e-mail domain block that says so)."""
    domain = (email or "").rpartition("@")[2].strip().lower()
    try:
        keys = candidates(normalize_domain(domain)) if domain else []
    except Unprocessable:
        keys = []
    blocks = (
        list(db.session.scalars(select(EmailDomainBlock).where(EmailDomainBlock.domain.in_(keys))))
        if keys
        else []
    )
    if any(not b.allow_with_approval for b in blocks):
        raise _invalid("email", "ERR_BLOCKED", "uses a disallowed e-mail provider")
    digest = canonical_email_hash(email)
    if db.session.scalar(
        select(CanonicalEmailBlock.id).where(CanonicalEmailBlock.canonical_email_hash == digest)
    ):
        raise _invalid("email", "ERR_TAKEN", "is already taken")  # as an address in use
    approval = bool(blocks) or ip_severity(address) == IpBlockSeverity.SIGN_UP_REQUIRES_APPROVAL
    return EmailVerdict(needs_approval=approval)
