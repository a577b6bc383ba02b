"""Local accounts and their logins: creation, lookup, roles, passwords."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from fedi import urls
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import (
    Account,
    NotificationType,
    Role,
    User,
    utcnow,
)
from fedi.services import keys, notifications, sessions, sign_up_blocks, throttles

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


def invalid(field: str, error: str, description: str) -> Unprocessable:
    """Mastodon's 422 for one attribute: `Validation failed: Display name is too long ...` with
    `details` {field: [{error, description}]}."""
    return Unprocessable(
        f"Validation failed: {re.sub(r'[_.]', ' ', field).capitalize()} {description}",
        details={field: [{"error": error, "description": description}]},
    )


def too_long(field: str, maximum: int) -> Unprocessable:
    return invalid(field, "ERR_TOO_LONG", f"is too long (maximum is {maximum} characters)")


def merge_invalid(errors: list[Unprocessable]) -> Unprocessable:
    """Several attribute errors as one 422, as Mastodon reports them all at once."""
    details: dict[str, list[dict[str, str]]] = {}
    for err in errors:
        for field, items in err.details.items():
            details.setdefault(field, []).extend(items)
    messages = ", ".join(e.message.removeprefix("Validation failed: ") for e in errors)
    return Unprocessable(f"Validation failed: {messages}", details=details)


def validate_username(username: str, *, allow_reserved: bool = False) -> str:
    username = (username or "").strip()
    if not username:
        raise invalid("username", "ERR_BLANK", "can't be blank")
    if len(username) > MAX_USERNAME:
        raise too_long("username", MAX_USERNAME)
    if not USERNAME_RE.match(username):
        raise invalid("username", "ERR_INVALID", "must contain only letters, numbers and _")
    if not allow_reserved and username.lower() in RESERVED:
        raise invalid("username", "ERR_RESERVED", "is reserved")
    if find_local(username) is not None:
        raise invalid("username", "ERR_TAKEN", "is already taken")
    return username


def validate_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise invalid("email", "ERR_INVALID", "is invalid")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise invalid("email", "ERR_TAKEN", "is already taken")
    return email


def validate_password(password: str) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise invalid(
            "password", "ERR_TOO_SHORT", f"is too short (minimum is {MIN_PASSWORD} characters)"
        )
    if len(password) > MAX_PASSWORD:
        raise too_long("password", MAX_PASSWORD)
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
    account = new_local_account(
        username=validate_username(username, allow_reserved=allow_reserved),
        email=validate_email(email),
        password=validate_password(password),
        role=role, approved=approved, confirmed=confirmed, display_name=display_name,
        locale=locale, reason=reason,
    )  # fmt: skip
    db.session.commit()
    return account


def new_local_account(
    *, username: str, email: str, password: str, role: Role = Role.USER, approved: bool = True,
    confirmed: bool = True, display_name: str = "", locale: str = "en", reason: str = "",
) -> Account:  # fmt: skip
    """Add an account and its login built from already validated values (the caller commits)."""
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


def user_named(username: str) -> User:
    """The local user with this username, or NotFound."""
    account = get_local(username)
    if account.user is None:
        raise NotFound("Record not found")
    return account.user


def set_role(*, username: str, role: Role) -> User:
    user = user_named(username)
    user.role = role
    db.session.commit()
    return user


def reset_password(*, username: str, password: str | None = None) -> str:
    """Set a new password (generated when none is given) and return it; every session, token
    and open stream of the account ends."""
    user = user_named(username)
    password = validate_password(password) if password else generate_password()
    user.password_hash = generate_password_hash(password)
    sessions.end_all(user)  # commits
    return password


ACCESS_DENIED = "Access from your network is blocked on this server."


def authenticate(*, login: str, password: str, client_address: str | None = None) -> User | None:
    """The user whose e-mail (or username) and password match, if they may sign in; records the
    sign-in (activity statistics read it) unless a two-factor code must follow. Failures count
    against the account's and the client's budgets (services/throttles.py): past them,
    TooManyRequests. From an address an IP block denies all access: Forbidden."""
    if sign_up_blocks.access_denied(client_address):
        raise Forbidden(ACCESS_DENIED)
    login = (login or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == login))
    if user is None and "@" not in login:
        account = find_local(login)
        user = account.user if account else None
    attempts_key = f"user:{user.id}" if user is not None else f"login:{login[:320]}"
    spend = throttles.sign_in(attempts_key, client_address)
    throttles.check(spend, throttles.SIGN_IN)
    if user is None or not check_password_hash(user.password_hash, password or ""):
        throttles.count(spend)
        return None
    if not user.can_sign_in:
        return None
    if not user.two_factor_enabled:  # else the second step records it
        record_sign_in(user)
    return user


def record_sign_in(user: User) -> None:
    user.last_sign_in_at = utcnow()
    db.session.commit()


def count_local_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


# --- Sign-up (services/registrations.py) ----------------------------------------------------

MAX_REASON = 1000
LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")


def _check_sign_up(
    username: str, email: str, password: str, *, agreement: bool, reason: str,
    reason_required: bool,
) -> dict[str, str]:  # fmt: skip
    """The validated username, email and password, or one 422 naming every invalid attribute."""
    checks = {
        "username": lambda: validate_username(username),
        "email": lambda: validate_email(email),
        "password": lambda: validate_password(password),
    }
    valid: dict[str, str] = {}
    errors: list[Unprocessable] = []
    for field, check in checks.items():
        try:
            valid[field] = check()
        except Unprocessable as err:
            errors.append(err)
    if not agreement:
        errors.append(invalid("agreement", "ERR_ACCEPTED", "must be accepted"))
    if reason_required and not reason:
        errors.append(invalid("reason", "ERR_BLANK", "can't be blank"))
    if len(reason) > MAX_REASON:
        errors.append(too_long("reason", MAX_REASON))
    if errors:
        raise merge_invalid(errors)
    return valid


def _notify_staff_of_sign_up(account: Account) -> None:
    staff = list(
        db.session.scalars(
            select(User.account_id).where(User.role.in_([Role.ADMIN, Role.MODERATOR]))
        )
    )
    if not staff:
        return
    created = notifications.notify_many(
        recipients=staff, sender=account, type_=NotificationType.ADMIN_SIGN_UP
    )
    db.session.commit()
    notifications.publish(created)
