"""Local accounts and their logins: creation, lookup, roles, passwords."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from fedi import urls
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import Account, Role, User, utcnow
from fedi.services import keys

USERNAME_RE = re.compile(r"^[a-z0-9_]+$", re.IGNORECASE)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_USERNAME = 30
MIN_PASSWORD = 8
MAX_PASSWORD = 72
# Names that would shadow routes or staff identities.
RESERVED = {
    "admin", "administrator", "root", "support", "help", "webmaster", "postmaster",
    "hostmaster", "abuse", "security", "moderator", "mod", "staff", "system", "instance",
    "settings", "api", "oauth", "inbox", "users", "tags", "about", "explore", "public",
    "static", "media", "health", "nodeinfo", "well_known", "auth", "web",
}  # fmt: skip


def _invalid(field: str, error: str, description: str) -> Unprocessable:
    return Unprocessable(
        f"Validation failed: {field.capitalize()} {description}",
        details={field: [{"error": error, "description": description}]},
    )


def validate_username(username: str, *, allow_reserved: bool = False) -> str:
    username = (username or "").strip()
    if not username:
        raise _invalid("username", "ERR_BLANK", "can't be blank")
    if len(username) > MAX_USERNAME:
        raise _invalid("username", "ERR_TOO_LONG", f"is too long (maximum is {MAX_USERNAME})")
    if not USERNAME_RE.match(username):
        raise _invalid("username", "ERR_INVALID", "must contain only letters, numbers and _")
    if not allow_reserved and username.lower() in RESERVED:
        raise _invalid("username", "ERR_RESERVED", "is reserved")
    if find_local(username) is not None:
        raise _invalid("username", "ERR_TAKEN", "is already taken")
    return username


def validate_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise _invalid("email", "ERR_INVALID", "is invalid")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise _invalid("email", "ERR_TAKEN", "is already taken")
    return email


def validate_password(password: str) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise _invalid("password", "ERR_TOO_SHORT", f"is too short (minimum is {MIN_PASSWORD})")
    if len(password) > MAX_PASSWORD:
        raise _invalid("password", "ERR_TOO_LONG", f"is too long (maximum is {MAX_PASSWORD})")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(18)


def create_local_account(
    *,
    username: str,
    email: str,
    password: str,
    role: Role = Role.USER,
    approved: bool = True,
    confirmed: bool = True,
    display_name: str = "",
    locale: str = "en",
    reason: str = "",
    allow_reserved: bool = False,
) -> Account:
    """A new local account with its login and signing keys, in one transaction."""
    username = validate_username(username, allow_reserved=allow_reserved)
    email = validate_email(email)
    password = validate_password(password)
    private_pem, public_pem = keys.generate_keypair()
    account = Account(
        username=username,
        domain=None,
        display_name=display_name[:255],
        private_key=private_pem,
        public_key=public_pem,
        **urls.actor_urls(username),
    )
    account.user = User(
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        approved=approved,
        confirmed_at=utcnow() if confirmed else None,
        locale=locale,
        sign_up_reason=reason,
    )
    db.session.add(account)
    db.session.commit()
    return account


def find_local(username: str) -> Account | None:
    return db.session.scalar(
        select(Account).where(
            Account.domain.is_(None), func.lower(Account.username) == username.lower()
        )
    )


def get_local(username: str) -> Account:
    account = find_local(username)
    if account is None:
        raise NotFound("Record not found")
    return account


def find_by_acct(username: str, domain: str | None) -> Account | None:
    """A known account by username and domain (None or our own domain: local)."""
    if domain is None or domain.lower() == urls.local_domain().lower():
        return find_local(username)
    return db.session.scalar(
        select(Account).where(
            func.lower(Account.username) == username.lower(),
            func.lower(Account.domain) == domain.lower(),
        )
    )


def _user(username: str) -> User:
    account = get_local(username)
    if account.user is None:
        raise NotFound("Record not found")
    return account.user


def set_role(*, username: str, role: Role) -> User:
    user = _user(username)
    user.role = role
    db.session.commit()
    return user


def reset_password(*, username: str, password: str | None = None) -> str:
    """Set a new password (generated when none is given) and return it."""
    user = _user(username)
    password = validate_password(password) if password else generate_password()
    user.password_hash = generate_password_hash(password)
    db.session.commit()
    return password


def authenticate(*, login: str, password: str) -> User | None:
    """The user whose e-mail (or username) and password match, if they may sign in."""
    login = (login or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == login))
    if user is None and "@" not in login:
        account = find_local(login)
        user = account.user if account else None
    if user is None or not check_password_hash(user.password_hash, password or ""):
        return None
    return user if user.can_sign_in else None


def count_local_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
