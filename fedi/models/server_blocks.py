"""What the server's admins block: other servers (domain blocks, and the allow-list of domain
allows), and sign-ups (e-mail domains, canonical e-mail addresses, client addresses), as
Mastodon's `domain_blocks`, `domain_allows`, `email_domain_blocks`, `canonical_email_blocks` and
`ip_blocks`. The rules that use them are in services/domain_policy.py and
services/sign_up_blocks.py."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import UTCDateTime, created_at, snowflake_pk, str_enum, updated_at


class DomainBlockSeverity(enum.StrEnum):
    NOOP = "noop"  # only reject_media / reject_reports
    SILENCE = "silence"  # Mastodon's "limit": its accounts are silenced
    SUSPEND = "suspend"  # no federation at all


class DomainBlock(db.Model):
    """A block of another server (and its subdomains). `domain` is normalised (lower case,
    punycode, no trailing dot). The accounts it suspended or silenced carry its `created_at` as
    their `suspended_at` / `silenced_at`, so undoing it lifts only those."""

    __tablename__ = "domain_blocks"

    id: Mapped[int] = snowflake_pk()
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    severity: Mapped[DomainBlockSeverity] = mapped_column(
        str_enum(DomainBlockSeverity, 16), default=DomainBlockSeverity.SILENCE
    )
    reject_media: Mapped[bool] = mapped_column(Boolean, default=False)
    reject_reports: Mapped[bool] = mapped_column(Boolean, default=False)
    private_comment: Mapped[str] = mapped_column(Text, default="")
    public_comment: Mapped[str] = mapped_column(Text, default="")
    obfuscate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class DomainAllow(db.Model):
    """A server allowed to federate when LIMITED_FEDERATION_MODE is on (subdomains included)."""

    __tablename__ = "domain_allows"

    id: Mapped[int] = snowflake_pk()
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = created_at()


class EmailDomainBlock(db.Model):
    """Sign-ups with an address at this domain (or a subdomain of it) are refused."""

    __tablename__ = "email_domain_blocks"

    id: Mapped[int] = snowflake_pk()
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    allow_with_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()


class CanonicalEmailBlock(db.Model):
    """A blocked address, kept only as the SHA-256 of its canonical form (services/
    sign_up_blocks.canonical_email)."""

    __tablename__ = "canonical_email_blocks"

    id: Mapped[int] = snowflake_pk()
    canonical_email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at()


class IpBlockSeverity(enum.StrEnum):
    SIGN_UP_REQUIRES_APPROVAL = "sign_up_requires_approval"
    SIGN_UP_BLOCK = "sign_up_block"
    NO_ACCESS = "no_access"


class IpBlock(db.Model):
    """A client address range (`ip` in CIDR form, e.g. 192.0.2.0/24) and what it may not do."""

    __tablename__ = "ip_blocks"

    id: Mapped[int] = snowflake_pk()
    ip: Mapped[str] = mapped_column(String(64), unique=True)
    severity: Mapped[IpBlockSeverity] = mapped_column(str_enum(IpBlockSeverity, 32))
    comment: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
