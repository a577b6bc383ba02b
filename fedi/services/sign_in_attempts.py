"""Failed sign-ins, counted per account and per client address, as Mastodon throttles them.

Guessing a password takes many tries: past 25 failures for one account in an hour, or from one
client address in five minutes, signing in is refused, even with the right password, until that
window ends. Every way in counts against the same budgets: the web form, the OAuth authorize
page's sign-in and the OAuth password grant. Counters are fixed windows (fedi/rate_counters.py),
shared by every process over Redis; when they cannot be reached, sign-in is not throttled.
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


PER_ACCOUNT = Budget("sign_in_account", 25, 3600)
PER_ADDRESS = Budget("sign_in_address", 25, 300)


def _budgets(account_key: str, address: str | None) -> list[tuple[Budget, str]]:
    """The account's budget always; the address's unless it is loopback (this machine, as the
    API's rate limits exempt it), so a reverse proxy that does not say who asks is not throttled
    as one client."""
    pairs = [(PER_ACCOUNT, account_key)]
    if address and not hosts.is_loopback(address):
        pairs.append((PER_ADDRESS, address))
    return pairs


def _enabled() -> bool:
    return current_app.config["FEDI"].RATE_LIMIT_ENABLED


def check(account_key: str, address: str | None) -> None:
    """TooManyRequests (with the seconds to wait) when either budget is spent."""
    if not _enabled():
        return
    now = time.time()
    keys = [budget.key(who, now) for budget, who in _budgets(account_key, address)]
    try:
        counts = rate_counters.store().peek([key for key, _ in keys])
    except (RedisError, OSError) as exc:
        log.warning("sign-in throttle skipped: %s", exc)
        return
    pairs = zip(_budgets(account_key, address), keys, counts, strict=True)
    waits = [ends - now for (budget, _), (_, ends), n in pairs if n >= budget.limit]
    if waits:
        wait = math.ceil(max(waits))
        raise TooManyRequests(_message(wait), retry_after=wait)


def failed(account_key: str, address: str | None) -> None:
    """Count one failed sign-in against both budgets."""
    if not _enabled():
        return
    now = time.time()
    keys = [
        (budget.key(who, now)[0], budget.period) for budget, who in _budgets(account_key, address)
    ]
    try:
        rate_counters.store().hit(keys)
    except (RedisError, OSError) as exc:
        log.warning("sign-in throttle not counted: %s", exc)


def _message(wait: int) -> str:
    minutes = max(1, math.ceil(wait / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."
