"""CSV exports of who an account follows, blocks and mutes, in Mastodon's column formats, so
they can be imported here or on another server."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from fedi import urls
from fedi.extensions import db
from fedi.models import Account, Block, Follow, Mute

KINDS = ("following", "blocks", "mutes")
FILENAMES = {
    "following": "following_accounts.csv",
    "blocks": "blocked_accounts.csv",
    "mutes": "muted_accounts.csv",
}


def _address(account: Account) -> str:
    return f"{account.username}@{account.domain or urls.local_domain()}"


def _bool(value: bool | None) -> str:
    return "true" if value else "false"


def _rows(kind: str, owner: Account) -> tuple[list[str] | None, list[list[str]]]:
    if kind == "following":
        query = select(Follow, Account).join(Account, Account.id == Follow.target_account_id)
        rows = db.session.execute(query.where(Follow.account_id == owner.id).order_by(Follow.id))
        header = ["Account address", "Show boosts", "Notify on new posts", "Languages"]
        return header, [
            [_address(a), _bool(f.show_reblogs), _bool(f.notify), ", ".join(f.languages or [])]
            for f, a in rows
        ]
    if kind == "mutes":
        query = select(Mute, Account).join(Account, Account.id == Mute.target_account_id)
        rows = db.session.execute(query.where(Mute.account_id == owner.id).order_by(Mute.id))
        header = ["Account address", "Hide notifications"]
        return header, [[_address(a), _bool(m.hide_notifications)] for m, a in rows]
    query = select(Account).join(Block, Block.target_account_id == Account.id)
    rows = db.session.scalars(query.where(Block.account_id == owner.id).order_by(Block.id))
    return None, [[_address(a)] for a in rows]  # Mastodon's block list has no header row


def export_csv(kind: str, owner: Account) -> str:
    """The CSV text for `kind` (one of KINDS)."""
    header, rows = _rows(kind, owner)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
