"""Budgets against guessing and flooding, counted per account (or e-mail) and per client address,
as Mastodon throttles them:

- failed sign-ins: 25 an hour per account, 25 in 5 minutes per address; past either, signing in is
  refused, even with the right password, until the window ends. Every way in counts: the web
  form, the OAuth authorize page's sign-in and the OAuth password grant;
- password reset requests: 5 in 30 minutes per e-mail address, 25 in 5 minutes per client address;
- confirmation e-mails: 5 in 30 minutes per account (or, for an unknown address asked on the web
  form, per e-mail address), 25 requests in 5 minutes per client address; the sign-up's own
  e-mail counts against its account's budget;
- sign-ups through the web form: 5 in 30 minutes per client address, as the API's sign-up
  (fedi/api/ratelimit.py); every attempt counts;
- wrong two-factor codes: 10 an hour per account, 25 in 5 minutes per address.

Loopback addresses have no per-address budget (this machine; the API's rate limits exempt it too).
Counters are fixed windows (fedi/rate_counters.py), shared by every process over Redis; when they
cannot be reached, nothing is throttled. RATE_LIMIT_ENABLED=false turns them off.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from redis import RedisError

from fedi import hosts, rate_counters
from fedi.errors import TooManyRequests

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    period: int  # seconds

    def key(self, who: str, now: float) -> tuple[str, float]:
        """The counter for `who` in the window of `now`, and when that window ends."""
        window = int(now // self.period)
        return f"{rate_counters.PREFIX}{self.name}:{window}:{who}", (window + 1) * self.period


SIGN_IN_PER_ACCOUNT = Budget("sign_in_account", 25, 3600)
SIGN_IN_PER_ADDRESS = Budget("sign_in_address", 25, 300)
RESET_PER_EMAIL = Budget("password_reset_email", 5, 1800)
RESET_PER_ADDRESS = Budget("password_reset_address", 25, 300)
CONFIRMATION_PER_ACCOUNT = Budget("confirmation_account", 5, 1800)
CONFIRMATION_PER_ADDRESS = Budget("confirmation_address", 25, 300)
SIGN_UP_PER_ADDRESS = Budget("sign_up_address", 5, 1800)
TWO_FACTOR_PER_ACCOUNT = Budget("two_factor_account", 10, 3600)
TWO_FACTOR_PER_ADDRESS = Budget("two_factor_address", 25, 300)

SIGN_IN = "Too many failed sign-in attempts."
RESET = "Too many password reset requests."
CONFIRMATION = "Too many confirmation e-mails asked for."
SIGN_UP = "Too many sign-ups from your address."
TWO_FACTOR = "Too many wrong two-factor codes."

Spend = list[tuple[Budget, str]]  # budgets, each with whose counter


def sign_in(account_key: str, address: str | None) -> Spend:
    return _with_address([(SIGN_IN_PER_ACCOUNT, account_key)], SIGN_IN_PER_ADDRESS, address)


def password_reset(email: str, address: str | None) -> Spend:
    return _with_address([(RESET_PER_EMAIL, email[:320])], RESET_PER_ADDRESS, address)


def confirmation(who: str, address: str | None) -> Spend:
    """`who`: "user:<id>", or "email:<address>" for an address no account uses."""
    return _with_address([(CONFIRMATION_PER_ACCOUNT, who[:330])], CONFIRMATION_PER_ADDRESS, address)


def sign_up(address: str | None) -> Spend:
    return _with_address([], SIGN_UP_PER_ADDRESS, address)


def two_factor(user_id: int, address: str | None) -> Spend:
    spend: Spend = [(TWO_FACTOR_PER_ACCOUNT, f"user:{user_id}")]
    return _with_address(spend, TWO_FACTOR_PER_ADDRESS, address)


def _with_address(spend: Spend, budget: Budget, address: str | None) -> Spend:
    if address and not hosts.is_loopback(address):
        spend.append((budget, address))
    return spend


def check(spend: Spend, what: str) -> None:
    """TooManyRequests (with the seconds to wait) when any of these budgets is spent."""
    _refuse_past(what, _counts(spend, add=False), coming=1)


def count(spend: Spend) -> None:
    """Count one against each budget."""
    _counts(spend, add=True)


def take(spend: Spend, what: str) -> None:
    """Count one against each budget; TooManyRequests when that goes past any of them."""
    _refuse_past(what, _counts(spend, add=True), coming=0)


def _counts(spend: Spend, *, add: bool) -> list[tuple[Budget, float, int]] | None:
    if not current_app.config["FEDI"].RATE_LIMIT_ENABLED:
        return None
    now = time.time()
    keys = [(budget, *budget.key(who, now)) for budget, who in spend]
    store = rate_counters.store()
    try:
        if add:
            counts = store.hit([(key, budget.period) for budget, key, _ in keys])
        else:
            counts = store.peek([key for _, key, _ in keys])
    except (RedisError, OSError) as exc:
        log.warning("throttle skipped: %s", exc)
        return None
    return [(budget, ends - now, n) for (budget, _, ends), n in zip(keys, counts, strict=True)]


def _refuse_past(what: str, counts: list[tuple[Budget, float, int]] | None, *, coming: int) -> None:
    """TooManyRequests when a count, plus the `coming` attempt, is past its budget."""
    waits = [left for budget, left, n in counts or () if n + coming > budget.limit]
    if waits:
        wait = math.ceil(max(waits))
        minutes = max(1, math.ceil(wait / 60))
        unit = "minute" if minutes == 1 else "minutes"
        raise TooManyRequests(f"{what} Try again in {minutes} {unit}.", retry_after=wait)
