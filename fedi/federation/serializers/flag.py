"""A forwarded report as a Flag (Mastodon's shape): sent by our instance actor, so the reporter
stays anonymous; `object` lists the reported account, then its reported statuses."""

from __future__ import annotations

from typing import Any

from fedi.federation.serializers.common import AS
from fedi.models import Account, Report, Status


def flag(report: Report, actor: Account, statuses: list[Status]) -> dict[str, Any]:
    return {
        "@context": AS,
        "id": f"{actor.uri}#reports/{report.id}",
        "type": "Flag",
        "actor": actor.uri,
        "content": report.comment,
        "object": [report.target_account.uri, *(s.uri for s in statuses if s.uri)],
    }
