"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238, through pyotp).

Turning it on takes a new secret (kept by the web page until confirmed), a code from the
authenticator app made with it, and the account's password; it answers ten recovery codes, shown
once and stored only as hashes. Each recovery code works once; each TOTP time step works once
(a code seen by someone looking over a shoulder cannot be replayed). Wrong codes count against
the account's and the client's budgets (services/throttles.py).

The secret is stored encrypted with a key derived from SECRET_KEY: a copy of the database alone
does not give the codes. Changing SECRET_KEY therefore turns every secret unreadable; those
accounts then sign in with a recovery code, or an operator runs `fedi users disable-2fa`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from werkzeug.security import check_password_hash

from fedi import urls
from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import User
from fedi.models.base import utcnow
from fedi.services import throttles
from fedi.services.accounts import user_named

RECOVERY_CODES = 10
STEP = 30  # seconds per code (what every authenticator app uses)
DRIFT_STEPS = 1  # codes from one step before or after now are accepted too
WRONG_PASSWORD = "Validation failed: Current password is invalid"
WRONG_CODE = "Validation failed: Two-factor code is invalid"


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"wren otp secret").derive(
        secret
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _unseal(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None  # SECRET_KEY changed: only recovery codes still work


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(c for c in (code or "").lower() if c.isalnum())[:64]


def new_secret() -> str:
    return pyotp.random_base32()


def seal(secret: str) -> str:
    """`secret` encrypted (for keeping it in a session cookie until it is confirmed)."""
    return _seal(secret)


def unseal(sealed: str | None) -> str | None:
    return _unseal(sealed) if isinstance(sealed, str) else None


def provisioning_uri(user: User, secret: str) -> str:
    """The `otpauth://` URI an authenticator app reads from the QR code."""
    host = urls.local_domain()
    return pyotp.TOTP(secret).provisioning_uri(
        name=f"{user.account.username}@{host}", issuer_name=host
    )


def _timestep(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is, within the allowed drift, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _new_recovery_codes(user: User) -> list[str]:
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    user.otp_recovery_codes = [_digest(code) for code in codes]
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _check_password(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise Unprocessable(WRONG_PASSWORD)


def _accept(user: User, code: str, *, secret: str | None, recovery: bool) -> bool:
    """Whether `code` is good for `user` now (consuming it); the caller commits."""
    code = _normalise(code)
    if secret is not None:
        step = _timestep(secret, code, time.time())
        if step is not None and step > (user.otp_last_timestep or -1):
            user.otp_last_timestep = step
            return True
    if recovery and len(code) == 10:
        digest = _digest(code)
        remaining = list(user.otp_recovery_codes or ())
        if digest in remaining:
            remaining.remove(digest)
            user.otp_recovery_codes = remaining
            return True
    return False


def _attempt(user: User, code: str, client_address: str | None, *, secret: str | None,
             recovery: bool) -> bool:  # fmt: skip
    spend = throttles.two_factor(user.id, client_address)
    throttles.check(spend, throttles.TWO_FACTOR)
    if _accept(user, code, secret=secret, recovery=recovery):
        db.session.commit()
        return True
    throttles.count(spend)
    return False


def verify(user: User, code: str, *, client_address: str | None = None) -> bool:
    """Whether `code` (from the app, or a recovery code) signs `user` in; a good code is used
    up. Past the wrong-code budgets, TooManyRequests."""
    if not user.two_factor_enabled:
        return False
    secret = _unseal(user.otp_secret)
    return _attempt(user, code, client_address, secret=secret, recovery=True)


def enable(user: User, *, secret: str, code: str, password: str,
           client_address: str | None = None) -> list[str]:  # fmt: skip
    """Turn two-factor sign-in on with `secret`, once a code made with it and the password check
    out; returns the recovery codes (shown once)."""
    if user.two_factor_enabled:
        raise Unprocessable("Two-factor authentication is already enabled")
    _check_password(user, password)
    user.otp_last_timestep = None
    if not _attempt(user, code, client_address, secret=secret, recovery=False):
        raise Unprocessable(WRONG_CODE)
    user.otp_secret = _seal(secret)
    user.otp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def _confirm(user: User, password: str, code: str, client_address: str | None) -> None:
    _check_password(user, password)
    if not verify(user, code, client_address=client_address):
        raise Unprocessable(WRONG_CODE)


def disable(user: User, *, password: str, code: str, client_address: str | None = None) -> None:
    """Turn it off: the password and a current code (or a recovery code) are both needed."""
    if not user.two_factor_enabled:
        return
    _confirm(user, password, code, client_address)
    _clear(user)
    db.session.commit()


def regenerate_recovery_codes(user: User, *, password: str, code: str,
                              client_address: str | None = None) -> list[str]:  # fmt: skip
    """New recovery codes replace the old ones (all of them, used or not)."""
    if not user.two_factor_enabled:
        raise Unprocessable("Two-factor authentication is not enabled")
    _confirm(user, password, code, client_address)
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return len(user.otp_recovery_codes or ())


def _clear(user: User) -> None:
    user.otp_secret = None
    user.otp_enabled_at = None
    user.otp_last_timestep = None
    user.otp_recovery_codes = []


def disable_for(username: str) -> bool:
    """The operator's way out for someone who lost both phone and codes (`fedi users
    disable-2fa`); whether it was on."""
    user = user_named(username)
    was_on = user.two_factor_enabled
    _clear(user)
    db.session.commit()
    return was_on


def required_for_staff() -> bool:
    return current_app.config["FEDI"].REQUIRE_STAFF_TWO_FACTOR


def setup_required(user: User | None) -> bool:
    """Staff must turn it on before anything else when REQUIRE_STAFF_TWO_FACTOR is set."""
    return (
        required_for_staff() and user is not None and user.is_staff and not user.two_factor_enabled
    )
