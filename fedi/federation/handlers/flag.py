"""Flag: another server reports accounts of ours (Mastodon sends it from its instance actor with
`object` = [account uri, status uris...] and `content` = the comment). One report per local
account named, with only that account's statuses; a redelivered Flag changes nothing."""

from __future__ import annotations

from fedi.federation import resolve
from fedi.federation.handlers.context import Inbound, local_account
from fedi.models import Account, Status
from fedi.services import domain_policy, remote, reports

MAX_OBJECTS = 200  # references read from one Flag


def _local_status(uri: str) -> Status | None:
    if not resolve.is_local_uri(uri):
        return None
    status = resolve.find_status_by_uri(uri)
    return status if status is not None and status.local else None


def handle(ctx: Inbound) -> bool:
    if domain_policy.rejects_reports(ctx.actor.domain):
        ctx.note("reports from this domain are rejected")
        return False
    uris = [u for u in map(remote.ref, remote.as_list(ctx.object)) if u][:MAX_OBJECTS]
    targets: dict[int, Account] = {}
    statuses: list[Status] = []
    for uri in dict.fromkeys(uris):
        account = local_account(uri)
        if account is not None:
            targets.setdefault(account.id, account)
        elif (status := _local_status(uri)) is not None:
            statuses.append(status)
    if not targets:
        ctx.note("the Flag names no local account")
        return False
    flag_uri = ctx.activity.get("id")
    if not isinstance(flag_uri, str) or not resolve.same_host(flag_uri, ctx.actor.uri):
        flag_uri = None
    content = ctx.activity.get("content")
    made = [
        reports.receive_flag(
            reporter=ctx.actor, target=target,
            status_ids=[s.id for s in statuses if s.account_id == target.id],
            comment=content if isinstance(content, str) else "", uri=flag_uri,
        )
        for target in targets.values()
    ]  # fmt: skip
    return any(r is not None for r in made)
