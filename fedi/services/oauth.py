"""OAuth2 use cases: registering apps, issuing and revoking tokens and codes, authorized apps.

The protocol itself (grants, client authentication, PKCE) is Authlib's, wired up in
fedi/api/oauth/server.py; this module owns the rows and the rules about them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update

from fedi.errors import NotFound, Unprocessable
from fedi.events import channels
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import (
    Account,
    OAuthApplication,
    OAuthAuthorizationCode,
    OAuthToken,
    PushSubscription,
    utcnow,
)
from fedi.models.oauth import OOB_REDIRECT_URI
from fedi.services import scopes as scope_rules  # a pure vocabulary module (no Flask)

OOB = OOB_REDIRECT_URI
CODE_LIFETIME = timedelta(minutes=10)
CODE_RETENTION = timedelta(days=1)
MAX_NAME = 60
MAX_URL = 2000
FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file", "blob"}


def _token_value() -> str:
    return secrets.token_urlsafe(32)


# --- applications -------------------------------------------------------------------------


def _redirect_uri_errors(uris: list[str]) -> list[str]:
    """Doorkeeper's checks, worded as Mastodon words them."""
    if not uris:
        return ["Redirect URI can't be blank"]
    errors: list[str] = []
    for uri in uris:
        if uri == OOB:
            continue
        try:
            parts = urlsplit(uri)
        except ValueError:
            errors.append("Redirect URI must be a valid URI.")
            continue
        scheme = parts.scheme.lower()
        if any(ord(c) < 33 or c in '<>"\\^`{|}' for c in uri):
            errors.append("Redirect URI must be a valid URI.")
        elif not scheme:
            errors.append("Redirect URI must be an absolute URI.")
        elif scheme in FORBIDDEN_SCHEMES:
            errors.append("Redirect URI is forbidden by the server.")
        elif scheme == "localhost" or not uri[len(scheme) + 1 :].startswith("/"):
            errors.append("Redirect URI must specify a scheme.")
        elif parts.fragment or "#" in uri:
            errors.append("Redirect URI cannot contain a fragment.")
    return list(dict.fromkeys(errors))


def _website_ok(website: str) -> bool:
    try:
        parts = urlsplit(website)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in website


def split_redirect_uris(value: str | list[str] | None) -> list[str]:
    """Redirect URIs from a whitespace/newline-separated string or a list of strings."""
    if value is None:
        return []
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    return value.split()


def create_application(
    *, name: str | None, redirect_uris: list[str], scopes: list[str], website: str | None
) -> OAuthApplication:
    """A new confidential client; 422 with every validation failure, as Mastodon lists them."""
    name = (name or "").strip()
    website = (website or "").strip() or None
    joined = "\n".join(redirect_uris)
    errors: list[str] = []
    if not name:
        errors.append("Application name can't be blank")
    errors += _redirect_uri_errors(redirect_uris)
    if scope_rules.unknown(scopes):
        errors.append("Scopes doesn't match configured on the server.")
    if len(name) > MAX_NAME:
        errors.append(f"Application name is too long (maximum is {MAX_NAME} characters)")
    if website and not _website_ok(website):
        errors.append("Application website is invalid")
    if website and len(website) > MAX_URL:
        errors.append(f"Application website is too long (maximum is {MAX_URL} characters)")
    if len(joined) > MAX_URL:
        errors.append(f"Redirect URI is too long (maximum is {MAX_URL} characters)")
    if errors:
        raise Unprocessable("Validation failed: " + ", ".join(errors))
    app = OAuthApplication(
        name=name,
        website=website,
        redirect_uris=joined,
        scopes=" ".join(scopes),
        client_id=_token_value(),
        client_secret=_token_value(),
    )
    db.session.add(app)
    db.session.commit()
    return app


def find_application(client_id: str | None) -> OAuthApplication | None:
    if not client_id:
        return None
    return db.session.scalar(
        select(OAuthApplication).where(OAuthApplication.client_id == client_id)
    )


def check_scopes(requested: list[str], application: OAuthApplication) -> bool:
    """Known scopes, all within what the app registered (`read` covers `read:statuses`)."""
    return not scope_rules.unknown(requested) and scope_rules.within(
        requested, application.scope_list
    )


# --- tokens -------------------------------------------------------------------------------


def issue_token(
    *, application: OAuthApplication, account_id: int | None, scopes: str, value: str | None = None
) -> OAuthToken:
    """A never-expiring access token (`account_id` None: an app-only token)."""
    token = OAuthToken(
        application_id=application.id,
        account_id=account_id,
        access_token=value or _token_value(),
        scopes=scopes,
    )
    db.session.add(token)
    db.session.commit()
    return token


def find_token(value: str | None) -> OAuthToken | None:
    """The token with this value, revoked or not."""
    if not value:
        return None
    return db.session.scalar(select(OAuthToken).where(OAuthToken.access_token == value))


def revoke_token(token: OAuthToken) -> None:
    """Revoke (idempotent): fedi/api/auth.py rejects tokens with `revoked_at`; its Web Push
    subscription goes with it."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.execute(delete(PushSubscription).where(PushSubscription.token_id == token.id))
    db.session.commit()
    channels.publish_kill(token.id)  # its open streams close at once


def has_matching_token(application: OAuthApplication, account: Account, scopes: str) -> bool:
    """Whether the account already authorized this app for exactly these scopes (a live token),
    in which case Mastodon (Doorkeeper) skips the consent page."""
    wanted = set(scopes.split())
    rows = db.session.scalars(
        select(OAuthToken.scopes).where(
            OAuthToken.application_id == application.id,
            OAuthToken.account_id == account.id,
            OAuthToken.revoked_at.is_(None),
        )
    )
    return any(set(row.split()) == wanted for row in rows)


# --- authorization codes ------------------------------------------------------------------


def save_code(
    *,
    code: str,
    application: OAuthApplication,
    account_id: int,
    redirect_uri: str,
    scopes: str,
    code_challenge: str | None,
    code_challenge_method: str | None,
) -> OAuthAuthorizationCode:
    """Store a new authorization code; codes older than a day are pruned on the way."""
    db.session.execute(
        delete(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.created_at < utcnow() - CODE_RETENTION
        )
    )
    row = OAuthAuthorizationCode(
        code=code,
        application_id=application.id,
        account_id=account_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=code_challenge or None,
        code_challenge_method=(code_challenge_method or "plain") if code_challenge else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def find_code(code: str | None, application: OAuthApplication) -> OAuthAuthorizationCode | None:
    """An unused, unexpired code issued to this application."""
    if not code:
        return None
    return db.session.scalar(
        select(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.code == code,
            OAuthAuthorizationCode.application_id == application.id,
            OAuthAuthorizationCode.used_at.is_(None),
            OAuthAuthorizationCode.created_at > utcnow() - CODE_LIFETIME,
        )
    )


def claim_code(row: OAuthAuthorizationCode) -> bool:
    """Mark the code used, atomically: of two concurrent exchanges only one wins. The caller
    commits (together with the token it issues)."""
    result = db.session.execute(
        update(OAuthAuthorizationCode)
        .where(OAuthAuthorizationCode.id == row.id, OAuthAuthorizationCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- authorized applications (the web UI's "Authorized apps") ------------------------------


@dataclass(frozen=True)
class AuthorizedApp:
    application: OAuthApplication
    scopes: list[str]  # union over the live tokens
    authorized_at: datetime  # the first live token
    last_used_at: datetime | None


def list_authorized_apps(account: Account) -> list[AuthorizedApp]:
    """Apps holding a live token for the account, most recently authorized first."""
    tokens = db.session.scalars(
        select(OAuthToken)
        .join(OAuthToken.application)
        .where(OAuthToken.account_id == account.id, OAuthToken.revoked_at.is_(None))
        .order_by(OAuthToken.id)
    ).all()
    grouped: dict[int, list[OAuthToken]] = {}
    for token in tokens:
        grouped.setdefault(token.application_id or 0, []).append(token)
    apps = []
    for group in grouped.values():
        used = [t.last_used_at for t in group if t.last_used_at]
        apps.append(
            AuthorizedApp(
                application=group[0].application,
                scopes=list(dict.fromkeys(s for t in group for s in t.scopes.split())),
                authorized_at=group[0].created_at,
                last_used_at=max(used) if used else None,
            )
        )
    return sorted(apps, key=lambda a: a.authorized_at, reverse=True)


def revoke_app(account: Account, app_id: int | str) -> None:
    """Revoke every token (and its Web Push subscription) and pending code the app holds for the
    account."""
    app_id = parse_id(app_id)
    if app_id is None:
        raise NotFound("Record not found")
    live = (
        OAuthToken.application_id == app_id,
        OAuthToken.account_id == account.id,
        OAuthToken.revoked_at.is_(None),
    )
    token_ids = list(db.session.scalars(select(OAuthToken.id).where(*live)))
    db.session.execute(
        update(OAuthToken)
        .where(*live)
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.application_id == app_id,
            OAuthAuthorizationCode.account_id == account.id,
        )
    )
    if not token_ids:
        db.session.rollback()
        raise NotFound("Record not found")
    db.session.execute(delete(PushSubscription).where(PushSubscription.token_id.in_(token_ids)))
    db.session.commit()
    for token_id in token_ids:
        channels.publish_kill(token_id)
