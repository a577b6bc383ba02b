"""Accounts (local and remote in one table) and users (local logins)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, str_enum, updated_at


class Account(db.Model):
    """An actor: local when `domain` is None, remote otherwise."""

    __tablename__ = "accounts"

    id: Mapped[int] = snowflake_pk()
    username: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str | None] = mapped_column(String(255), index=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")  # rendered (local) or sanitised (remote)
    note_source: Mapped[str] = mapped_column(Text, default="")  # what a local user typed
    actor_type: Mapped[str] = mapped_column(String(32), default="Person")
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    inbox_url: Mapped[str] = mapped_column(String(2048), default="")
    shared_inbox_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    outbox_url: Mapped[str | None] = mapped_column(String(2048))
    followers_url: Mapped[str | None] = mapped_column(String(2048))
    following_url: Mapped[str | None] = mapped_column(String(2048))
    featured_url: Mapped[str | None] = mapped_column(String(2048))
    featured_tags_url: Mapped[str | None] = mapped_column(String(2048))
    public_key_id: Mapped[str | None] = mapped_column(String(2048))
    public_key: Mapped[str] = mapped_column(Text, default="")
    private_key: Mapped[str | None] = mapped_column(Text)  # local accounts only
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    bot: Mapped[bool] = mapped_column(Boolean, default=False)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=True)
    indexable: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_collections: Mapped[bool] = mapped_column(Boolean, default=False)
    avatar_file: Mapped[str | None] = mapped_column(String(512))
    avatar_remote_url: Mapped[str | None] = mapped_column(String(2048))
    header_file: Mapped[str | None] = mapped_column(String(512))
    header_remote_url: Mapped[str | None] = mapped_column(String(2048))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    also_known_as: Mapped[list[str]] = mapped_column(JSONType, default=list)
    moved_to_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    followers_count: Mapped[int] = mapped_column(Integer, default=0)
    following_count: Mapped[int] = mapped_column(Integer, default=0)
    statuses_count: Mapped[int] = mapped_column(Integer, default=0)
    last_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # remote refresh
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    silenced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moderation (services/account_moderation.py): media shown as sensitive since; and, while
    # suspended, when the account's data goes (Mastodon's 30-day retention; None once purged,
    # or for a suspension that came from the account's own server).
    sensitized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    user: Mapped[User | None] = relationship(back_populates="account", uselist=False)

    @property
    def local(self) -> bool:
        return self.domain is None

    @property
    def acct(self) -> str:
        """`username` for local accounts, `username@domain` for remote ones (Mastodon's acct)."""
        return self.username if self.domain is None else f"{self.username}@{self.domain}"

    def __repr__(self) -> str:
        return f"<Account {self.id} @{self.acct}>"


def as_account_id(account: Account | int | None) -> int | None:
    """The id of an account given as a model or as its id (read paths often know only the id)."""
    return account if account is None or isinstance(account, int) else account.id


# One account per (username, domain), case-insensitively; local accounts have domain NULL.
Index(
    "ux_accounts_username_domain",
    func.lower(Account.username),
    func.lower(func.coalesce(Account.domain, "")),
    unique=True,
)


class Role(enum.StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(db.Model):
    """A local login attached to exactly one local account."""

    __tablename__ = "users"

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), default=Role.USER)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmation_token: Mapped[str | None] = mapped_column(String(128), unique=True)
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sign_up_reason: Mapped[str] = mapped_column(Text, default="")
    reset_password_token: Mapped[str | None] = mapped_column(String(128), unique=True)
    reset_password_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sign_up_ip: Mapped[str | None] = mapped_column(String(64), index=True)  # the client address
    # The app an account signed up through (POST /api/v1/accounts): only its tokens may ask for
    # the confirmation e-mail again (POST /api/v1/emails/confirmations), as on Mastodon.
    created_by_application_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("oauth_applications.id", ondelete="SET NULL"), index=True
    )
    # Two-factor sign-in (services/two_factor.py): the TOTP secret, encrypted; when it was
    # turned on; the last time step accepted (a code works once); hashes of unused recovery codes.
    otp_secret: Mapped[str | None] = mapped_column(String(255))
    otp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    otp_last_timestep: Mapped[int | None] = mapped_column(BigInteger)
    otp_recovery_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    account: Mapped[Account] = relationship(back_populates="user")

    @property
    def two_factor_enabled(self) -> bool:
        return self.otp_enabled_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.MODERATOR)

    @property
    def can_sign_in(self) -> bool:
        return self.approved and not self.disabled and self.account.suspended_at is None
