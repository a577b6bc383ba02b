"""Who a status is addressed to: the one place mapping visibility <-> to/cc (as Mastodon does).

public:   to Public,           cc followers + mentioned
unlisted: to followers,        cc Public + mentioned
private:  to followers,        cc mentioned
direct:   to mentioned only
A boost also carries the boosted author in cc.
"""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, Mention, Status, Visibility

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def followers_url(account: Account) -> str:
    return account.followers_url or f"{account.uri}/followers"


def mentioned_uris(status: Status) -> list[str]:
    """Actor URIs of the status' non-silent mentions, in a stable order."""
    rows = db.session.scalars(
        select(Account.uri)
        .join(Mention, Mention.account_id == Account.id)
        .where(Mention.status_id == status.id, Mention.silent.is_(False))
        .order_by(Mention.id)
    )
    return list(dict.fromkeys(rows))


def audience(status: Status) -> tuple[list[str], list[str]]:
    """(to, cc) of a status or a boost."""
    followers = followers_url(status.account)
    mentions = [] if status.reblog_of_id is not None else mentioned_uris(status)
    match status.visibility:
        case Visibility.PUBLIC:
            to, cc = [PUBLIC], [followers]
        case Visibility.UNLISTED:
            to, cc = [followers], [PUBLIC]
        case Visibility.PRIVATE:
            to, cc = [followers], []
        case _:
            return mentions, []
    if status.reblog is not None:
        cc.append(status.reblog.account.uri)
    cc.extend(uri for uri in mentions if uri not in to and uri not in cc)
    return to, cc
