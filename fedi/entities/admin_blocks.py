"""Mastodon's admin entities for what the server blocks (Admin::DomainBlock, Admin::DomainAllow,
Admin::EmailDomainBlock, Admin::CanonicalEmailBlock, Admin::IpBlock) and the public DomainBlock
of GET /api/v1/instance/domain_blocks."""

from __future__ import annotations

import hashlib
from typing import Any

from fedi.entities.common import iso
from fedi.models import CanonicalEmailBlock, DomainAllow, DomainBlock, EmailDomainBlock, IpBlock


def digest(domain: str) -> str:
    return hashlib.sha256(domain.encode()).hexdigest()


def public_domain(block: DomainBlock) -> str:
    """The domain as the public sees it: with `obfuscate`, the middle of it starred (dots kept),
    as Mastodon shows it."""
    domain = block.domain
    if not block.obfuscate:
        return domain
    length = len(domain)
    keep = length // 4
    return "".join(
        "*" if keep < i < length - keep and ch != "." else ch for i, ch in enumerate(domain)
    )


def admin_domain_block(block: DomainBlock) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "domain": block.domain,
        "digest": digest(block.domain),
        "created_at": iso(block.created_at),
        "severity": block.severity.value,
        "reject_media": block.reject_media,
        "reject_reports": block.reject_reports,
        "private_comment": block.private_comment or None,
        "public_comment": block.public_comment or None,
        "obfuscate": block.obfuscate,
    }


def existing_domain_block_error(block: DomainBlock, message: str) -> dict[str, Any]:
    return {"error": message, "existing_domain_block": admin_domain_block(block)}


def public_domain_block(block: DomainBlock) -> dict[str, Any]:
    entity = {
        "domain": public_domain(block),
        "digest": digest(block.domain),
        "severity": block.severity.value,
    }
    if block.public_comment:
        entity["comment"] = block.public_comment
    return entity


def admin_domain_allow(allow: DomainAllow) -> dict[str, Any]:
    return {"id": str(allow.id), "domain": allow.domain, "created_at": iso(allow.created_at)}


def admin_email_domain_block(block: EmailDomainBlock) -> dict[str, Any]:
    # `history` (sign-ups tried per day) is not recorded here: an empty list.
    return {
        "id": str(block.id),
        "domain": block.domain,
        "created_at": iso(block.created_at),
        "history": [],
        "allow_with_approval": block.allow_with_approval,
    }


def admin_canonical_email_block(block: CanonicalEmailBlock) -> dict[str, Any]:
    return {"id": str(block.id), "canonical_email_hash": block.canonical_email_hash}


def admin_ip_block(block: IpBlock) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "ip": block.ip,
        "severity": block.severity.value,
        "comment": block.comment,
        "created_at": iso(block.created_at),
        "expires_at": iso(block.expires_at),
    }
