"""OAuth2 applications, access tokens and authorization codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import UTCDateTime, created_at, snowflake_pk


class OAuthApplication(db.Model):
    __tablename__ = "oauth_applications"

    id: Mapped[int] = snowflake_pk()
    name: Mapped[str] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(2048))
    redirect_uris: Mapped[str] = mapped_column(Text, default="")  # newline-separated
    scopes: Mapped[str] = mapped_column(String(2048), default="read")  # space-separated
    client_id: Mapped[str] = mapped_column(String(128), unique=True)
    client_secret: Mapped[str] = mapped_column(String(128))
    owner_account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


class OAuthToken(db.Model):
    __tablename__ = "oauth_tokens"

    id: Mapped[int] = snowflake_pk()
    application_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("oauth_applications.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(  # None for client_credentials tokens
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    access_token: Mapped[str] = mapped_column(String(128), unique=True)
    refresh_token: Mapped[str | None] = mapped_column(String(128), unique=True)
    scopes: Mapped[str] = mapped_column(String(2048), default="read")
    expires_in: Mapped[int | None] = mapped_column(Integer)  # None: never expires
    created_at: Mapped[datetime] = created_at()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[OAuthApplication | None] = relationship()
    account: Mapped[Account | None] = relationship()


class OAuthAuthorizationCode(db.Model):
    __tablename__ = "oauth_authorization_codes"

    id: Mapped[int] = snowflake_pk()
    code: Mapped[str] = mapped_column(String(128), unique=True)
    application_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("oauth_applications.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    scopes: Mapped[str] = mapped_column(String(2048))
    code_challenge: Mapped[str | None] = mapped_column(String(255))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
