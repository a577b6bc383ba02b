"""Which other servers this one federates with: the lookup every inbound activity, fetch and
delivery makes (the admin side is services/domain_moderation.py).

A block of `example.com` covers `a.example.com` and `example.com:8443`; the most specific block
wins (`a.example.com`'s own block over `example.com`'s). With LIMITED_FEDERATION_MODE on, only
the allowed domains (and their subdomains) federate at all.

The rules are read in one query and kept per process for CACHE_SECONDS; a commit that writes to
the domain blocks or allows empties this process's copy at once (fedi/db_watch.py), other
processes follow within CACHE_SECONDS."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from fedi import db_watch, hosts
from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import DomainAllow, DomainBlock, DomainBlockSeverity
from fedi.ttl_cache import TTLCache

CACHE_SECONDS = 60.0
MAX_DOMAIN = 255


@dataclass(frozen=True)
class Rule:
    """A domain block as the hot paths need it."""

    domain: str
    severity: DomainBlockSeverity
    reject_media: bool
    reject_reports: bool
    created_at: datetime

    @property
    def suspends(self) -> bool:
        return self.severity == DomainBlockSeverity.SUSPEND

    @property
    def silences(self) -> bool:
        return self.severity == DomainBlockSeverity.SILENCE


@dataclass(frozen=True)
class _Rules:
    blocks: dict[str, Rule]
    allows: frozenset[str]


_cache: TTLCache[str, _Rules] = TTLCache(CACHE_SECONDS, max_entries=4)
_WRITES = re.compile(
    r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(domain_blocks|domain_allows)\b", re.I
)
db_watch.after_commit_of(lambda sql: _WRITES.search(sql) is not None, _cache.clear)


def normalize(given: str) -> str:
    """`given` as stored and compared: lower case, punycode, no trailing dot, no default port.
    Unprocessable when it cannot be a domain."""
    value = (given or "").strip()
    if not value or any(c in value for c in "/@?#* \t") or len(value) > MAX_DOMAIN:
        raise Unprocessable(
            "Validation failed: Domain is invalid",
            details={"domain": [{"error": "ERR_INVALID", "description": "is invalid"}]},
        )
    domain = hosts.normalize_host(value)
    if not domain or len(domain) > MAX_DOMAIN or domain.startswith(".") or ".." in domain:
        raise Unprocessable(
            "Validation failed: Domain is invalid",
            details={"domain": [{"error": "ERR_INVALID", "description": "is invalid"}]},
        )
    return domain


def candidates(domain: str) -> list[str]:
    """The keys a rule for `domain` may be stored under, most specific first: the host with its
    port, then the host and each parent domain (`a.b.c:8443`, `a.b.c`, `b.c`, `c`)."""
    if not domain:
        return []
    keys = [domain]
    host, sep, port = domain.rpartition(":") if not domain.endswith("]") else ("", "", "")
    if sep and port.isdigit() and host:
        keys.append(host)
    else:
        host = domain
    if host.startswith("[") or _is_ip(host):
        return keys
    labels = host.split(".")
    keys.extend(".".join(labels[i:]) for i in range(1, len(labels)))
    return list(dict.fromkeys(keys))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _rules() -> _Rules:
    cached = _cache.get("rules")
    if cached is not None:
        return cached
    blocks = {
        row.domain: Rule(
            domain=row.domain, severity=row.severity, reject_media=row.reject_media,
            reject_reports=row.reject_reports, created_at=row.created_at,
        )
        for row in db.session.execute(
            select(
                DomainBlock.domain, DomainBlock.severity, DomainBlock.reject_media,
                DomainBlock.reject_reports, DomainBlock.created_at,
            )
        )
    }  # fmt: skip
    allows = frozenset(db.session.scalars(select(DomainAllow.domain)))
    return _cache.put("rules", _Rules(blocks=blocks, allows=allows))


def rule_for(domain: str | None) -> Rule | None:
    """The most specific domain block covering `domain` (a normalised host), if any."""
    if not domain:
        return None
    blocks = _rules().blocks
    if not blocks:
        return None
    for key in candidates(domain):
        rule = blocks.get(key)
        if rule is not None:
            return rule
    return None


def limited_federation() -> bool:
    return bool(current_app.config["FEDI"].LIMITED_FEDERATION_MODE)


def allowed(domain: str | None) -> bool:
    """Whether an allow covers `domain` (only consulted in LIMITED_FEDERATION_MODE)."""
    allows = _rules().allows
    return bool(domain) and any(key in allows for key in candidates(domain or ""))


def refused(domain: str | None) -> bool:
    """Whether nothing may be exchanged with `domain`: suspended, or not allowed while
    federation is limited to the allowed domains. Local and empty domains are never refused."""
    if not domain:
        return False
    if limited_federation() and not allowed(domain):
        return not _is_local(domain)
    rule = rule_for(domain)
    return rule is not None and rule.suspends and not _is_local(domain)


def refused_url(url: str | None) -> bool:
    return refused(hosts.normalize_host(url or "")) if url else False


def rejects_media(domain: str | None) -> bool:
    rule = rule_for(domain)
    return rule is not None and (rule.reject_media or rule.suspends)


def rejects_reports(domain: str | None) -> bool:
    rule = rule_for(domain)
    return rule is not None and (rule.reject_reports or rule.suspends)


def _is_local(domain: str) -> bool:
    return domain == hosts.normalize_host(current_app.config["FEDI"].LOCAL_DOMAIN)
