"""OAuth2 applications, access tokens and authorization codes.

Besides their columns, the models carry the small methods Authlib's server calls on clients,
codes and tokens (ClientMixin, AuthorizationCodeMixin, TokenMixin); they are plain data checks,
so the models stay free of HTTP and of Authlib itself. Scope rules live in fedi/services/scopes.py.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import UTCDateTime, created_at, snowflake_pk, utcnow

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
GRANT_TYPES = frozenset({"authorization_code", "client_credentials", "password"})
CLIENT_AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post"})


def _scope_string(value: str | None, default: str = "read") -> str:
    """Space-separated scopes in order, deduplicated (`+` separates them too)."""
    parts = (value or default).replace("+", " ").split()
    return " ".join(dict.fromkeys(parts))


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

    @property
    def redirect_uri_list(self) -> list[str]:
        return self.redirect_uris.split()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    # Authlib ClientMixin
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        """Only an app with exactly one redirect URI may leave it out of the request."""
        uris = self.redirect_uri_list
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return _scope_string(scope)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uri_list

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret.encode(), (client_secret or "").encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


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

    # Authlib TokenMixin
    def check_client(self, client: OAuthApplication) -> bool:
        return self.application_id == client.id

    def get_scope(self) -> str:
        return self.scopes

    def get_expires_in(self) -> int:
        return self.expires_in or 0

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self) -> bool:
        return False  # tokens live until revoked; fedi/api/auth.py honours `expires_in` if set

    def get_user(self) -> Account | None:
        return self.account

    def get_client(self) -> OAuthApplication | None:
        return self.application


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
    redirect_uri: Mapped[str] = mapped_column(String(2048))  # "" when the request named none
    scopes: Mapped[str] = mapped_column(String(2048))
    code_challenge: Mapped[str | None] = mapped_column(String(255))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(  # indexed: expired codes are pruned
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Authlib AuthorizationCodeMixin
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scopes
