"""The end of a suspension's retention (Mastodon's 30 days, services/account_moderation.py):
the suspended account's data is deleted and only its row stays, suspended and emptied, so that
its username and address are never taken again. Run by the periodic `purge_suspended_accounts`
task for every account past `purge_after`, or at once after an admin's delete."""

from __future__ import annotations

from sqlalchemy import delete, select

from fedi.extensions import db
from fedi.models import Account, MediaAttachment, Status, utcnow
from fedi.services import media_files, remote, sessions

# Tables whose rows point at the account and stay: the login (signed out, kept for its e-mail
# address), what staff keep about it, and what federation still has to send for it.
KEEP = frozenset(
    {
        "accounts", "users", "reports", "account_warnings", "account_moderation_notes",
        "audit_log_entries", "outbox_activities", "deliveries", "oauth_tokens",
    }
)  # fmt: skip


def due(limit: int = 100) -> list[int]:
    """Suspended accounts whose retention has ended."""
    return list(
        db.session.scalars(
            select(Account.id)
            .where(Account.purge_after <= utcnow(), Account.suspended_at.is_not(None))
            .order_by(Account.purge_after)
            .limit(limit)
        )
    )


def purge(account_id: int) -> bool:
    """Delete what the suspended account left, if its retention has ended (an unsuspension in
    between keeps everything). Idempotent: run again, it finds nothing more."""
    account = db.session.get(Account, account_id)
    if account is None or account.suspended_at is None or account.purge_after is None:
        return False
    if account.purge_after > utcnow():
        return False
    remote.remove_account_content(account)  # statuses leave every feed; follows, favourites
    files = [
        path
        for row in db.session.execute(
            select(MediaAttachment.file_path, MediaAttachment.thumbnail_path).where(
                MediaAttachment.account_id == account.id
            )
        )
        for path in row
        if path
    ]
    files += [p for p in (account.avatar_file, account.header_file) if p]
    db.session.execute(delete(Status).where(Status.account_id == account.id))
    for table in db.metadata.sorted_tables:
        if table.name in KEEP:
            continue
        for column in table.columns:
            refers = any(fk.column.table.name == "accounts" for fk in column.foreign_keys)
            if refers and column.name == "account_id":
                db.session.execute(delete(table).where(column == account.id))
    account.display_name = ""
    account.note = account.note_source = ""
    account.fields, account.also_known_as = [], []
    account.avatar_file = account.avatar_remote_url = None
    account.header_file = account.header_remote_url = None
    account.followers_count = account.following_count = account.statuses_count = 0
    account.purge_after = None
    if account.user is not None:
        sessions.end_all(account.user)  # every session and token, committed with the rest
    else:
        db.session.commit()
    for path in files:
        media_files.delete(path)
    return True
