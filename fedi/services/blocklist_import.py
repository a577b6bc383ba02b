"""Importing a domain blocklist in Mastodon's CSV export format (the `fedi domain-blocks-import`
command): parsing the file, then blocking each domain through services/domain_moderation.py,
one transaction each, with progress."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.services import domain_moderation
from fedi.services.domain_moderation import Actor, BlockForm, ExistingBlock

CSV_COLUMNS = ("domain", "severity", "reject_media", "reject_reports", "public_comment",
               "obfuscate")  # fmt: skip


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    skipped: list[str]  # already blocked as strictly
    invalid: list[tuple[str, str]]  # (line, why)


def parse_blocklist_csv(text: str) -> list[tuple[str, BlockForm]]:
    """Mastodon's export (`#domain,#severity,#reject_media,#reject_reports,#public_comment,
    #obfuscate`; the `#` may be missing; a file of bare domains works too) as (domain, form)
    pairs. Unknown columns are ignored; booleans are true/false."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        return []
    header = [h.strip().lstrip("#").lower() for h in rows[0]]
    if "domain" in header:
        body = rows[1:]
    else:
        header, body = list(CSV_COLUMNS[: len(rows[0])]), rows
    entries = []
    for row in body:
        values = dict(zip(header, (v.strip() for v in row), strict=False))
        domain = values.get("domain", "")
        if not domain or domain.startswith("#"):
            continue
        entries.append(
            (
                domain,
                BlockForm(
                    severity=values.get("severity") or "suspend",
                    reject_media=values.get("reject_media", "").lower() == "true",
                    reject_reports=values.get("reject_reports", "").lower() == "true",
                    public_comment=values.get("public_comment", ""),
                    obfuscate=values.get("obfuscate", "").lower() == "true",
                ),
            )
        )
    return entries


def import_blocks(by: Actor, entries: list[tuple[str, BlockForm]],
                  progress: Callable[[str], None] | None = None) -> ImportResult:  # fmt: skip
    """Block each domain (one transaction each); a domain already blocked at least as strictly
    is skipped, an invalid line noted."""
    domain_moderation.check(by)
    say = progress or (lambda _message: None)
    created, skipped, invalid = [], [], []
    for number, (domain, form) in enumerate(entries, start=1):
        try:
            block = domain_moderation.create_block(by, domain, form)
        except ExistingBlock as err:
            skipped.append(domain)
            say(f"[{number}/{len(entries)}] {domain}: skipped ({err.message})")
        except Unprocessable as err:
            db.session.rollback()
            invalid.append((domain, err.message))
            say(f"[{number}/{len(entries)}] {domain}: invalid ({err.message})")
        else:
            created.append(block.domain)
            say(f"[{number}/{len(entries)}] {block.domain}: {block.severity.value}")
    return ImportResult(created=created, skipped=skipped, invalid=invalid)
