"""Settings from the environment, with embedded defaults (SQLite, in-process queue, memory bus)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_NAMES = {"SECRET_KEY", "SMTP_PASSWORD", "DATABASE_URL", "REDIS_URL"}


def env_bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _secret_key(instance_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass
class Settings:
    """The effective configuration. `Settings.from_env()` reads it; tests build it directly."""

    LOCAL_DOMAIN: str = "127.0.0.1:5000"
    LOCAL_HTTPS: bool = True
    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    SECRET_KEY: str = ""
    INSTANCE_DIR: str = str(ROOT / "instance")
    MEDIA_ROOT: str = ""
    REGISTRATIONS_MODE: str = "open"
    SINGLE_USER_MODE: bool = False
    # Only hashtags and posts a moderator approved trend (Mastodon's "review trends").
    TRENDS_NEED_REVIEW: bool = False
    ALLOWED_PRIVATE_ADDRESSES: list[str] = field(default_factory=list)
    # Reverse proxies whose X-Forwarded-For names the client (fedi/http/client_address.py).
    TRUSTED_PROXIES: list[str] = field(default_factory=lambda: list(LOOPBACK_NETWORKS))
    # Require HTTP-signed GETs for actors' collections and objects (Mastodon's secure mode).
    AUTHORIZED_FETCH: bool = False
    # Federate only with the domains the admins allowed (Mastodon's limited federation mode).
    LIMITED_FEDERATION_MODE: bool = False
    # Moderators and admins must turn on two-factor sign-in before using the web UI.
    REQUIRE_STAFF_TWO_FACTOR: bool = False
    INSTANCE_TITLE: str = "Wren"
    INSTANCE_DESCRIPTION: str = "A small corner of the fediverse."
    INSTANCE_CONTACT_EMAIL: str = ""
    INSTANCE_CONTACT_USERNAME: str = ""
    MAX_STATUS_CHARS: int = 500
    HOST: str = "127.0.0.1"
    PORT: int = 5000
    LOG_LEVEL: str = "INFO"
    SMTP_SERVER: str = ""
    SMTP_PORT: int = 587
    SMTP_LOGIN: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_FROM_ADDRESS: str = ""
    # Run Huey tasks synchronously in the caller (tests); otherwise in-process thread or worker.
    QUEUE_IMMEDIATE: bool = False
    # API rate limits (fedi/api/ratelimit.py); RATE_LIMITS overrides a rule: {name: (limit, secs)}.
    RATE_LIMIT_ENABLED: bool = True
    RATE_LIMITS: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Seconds before the first retry of a failed delivery (then exponential backoff).
    DELIVERY_RETRY_BASE: float = 30.0
    # Back-pressure on the inboxes (fedi/federation/inbox.py): past this many received activities
    # waiting to be processed, POSTs to the inboxes are answered 503 with Retry-After (0: none).
    INBOX_QUEUE_LIMIT: int = 10_000
    # Activities accepted from one remote host per INBOX_HOST_PERIOD seconds; past it 429 with
    # Retry-After (0: no limit; applied only with RATE_LIMIT_ENABLED).
    INBOX_HOST_LIMIT: int = 0
    INBOX_HOST_PERIOD: int = 300
    # Tests only: a file holding seconds added to the clock of stored times (fedi/clock.py).
    TEST_CLOCK_OFFSET_FILE: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("INSTANCE_DIR") or ROOT / "instance")
        host = env.get("HOST") or "127.0.0.1"
        port = int(env.get("PORT") or 5000)
        settings = cls(
            LOCAL_DOMAIN=env.get("LOCAL_DOMAIN") or f"{host}:{port}",
            # Without a LOCAL_DOMAIN this is a development instance on http://HOST:PORT.
            LOCAL_HTTPS=env_bool(env.get("LOCAL_HTTPS"), bool(env.get("LOCAL_DOMAIN"))),
            DATABASE_URL=env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'wren.db'}",
            REDIS_URL=env.get("REDIS_URL", ""),
            SECRET_KEY=env.get("SECRET_KEY", ""),
            INSTANCE_DIR=str(instance_dir),
            MEDIA_ROOT=env.get("MEDIA_ROOT") or str(instance_dir / "media"),
            REGISTRATIONS_MODE=(env.get("REGISTRATIONS_MODE") or "open").lower(),
            SINGLE_USER_MODE=env_bool(env.get("SINGLE_USER_MODE"), False),
            TRENDS_NEED_REVIEW=env_bool(env.get("TRENDS_NEED_REVIEW"), False),
            ALLOWED_PRIVATE_ADDRESSES=_list(env.get("ALLOWED_PRIVATE_ADDRESSES")),
            TRUSTED_PROXIES=_list(env.get("TRUSTED_PROXIES")) or list(LOOPBACK_NETWORKS),
            AUTHORIZED_FETCH=env_bool(env.get("AUTHORIZED_FETCH"), False),
            LIMITED_FEDERATION_MODE=env_bool(env.get("LIMITED_FEDERATION_MODE"), False),
            REQUIRE_STAFF_TWO_FACTOR=env_bool(env.get("REQUIRE_STAFF_TWO_FACTOR"), False),
            INSTANCE_TITLE=env.get("INSTANCE_TITLE") or cls.INSTANCE_TITLE,
            INSTANCE_DESCRIPTION=env.get("INSTANCE_DESCRIPTION") or cls.INSTANCE_DESCRIPTION,
            INSTANCE_CONTACT_EMAIL=env.get("INSTANCE_CONTACT_EMAIL", ""),
            INSTANCE_CONTACT_USERNAME=env.get("INSTANCE_CONTACT_USERNAME", ""),
            MAX_STATUS_CHARS=int(env.get("MAX_STATUS_CHARS") or 500),
            HOST=host,
            PORT=port,
            LOG_LEVEL=(env.get("LOG_LEVEL") or "INFO").upper(),
            SMTP_SERVER=env.get("SMTP_SERVER", ""),
            SMTP_PORT=int(env.get("SMTP_PORT") or 587),
            SMTP_LOGIN=env.get("SMTP_LOGIN", ""),
            SMTP_PASSWORD=env.get("SMTP_PASSWORD", ""),
            SMTP_FROM_ADDRESS=env.get("SMTP_FROM_ADDRESS", ""),
            RATE_LIMIT_ENABLED=env_bool(env.get("RATE_LIMIT_ENABLED"), True),
            DELIVERY_RETRY_BASE=float(env.get("DELIVERY_RETRY_BASE") or 30.0),
            INBOX_QUEUE_LIMIT=int(env.get("INBOX_QUEUE_LIMIT") or 10_000),
            INBOX_HOST_LIMIT=int(env.get("INBOX_HOST_LIMIT") or 0),
            INBOX_HOST_PERIOD=int(env.get("INBOX_HOST_PERIOD") or 300),
            TEST_CLOCK_OFFSET_FILE=env.get("TEST_CLOCK_OFFSET_FILE", ""),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.REGISTRATIONS_MODE not in {"open", "approved", "none"}:
            raise ValueError("REGISTRATIONS_MODE must be one of open, approved, none")
        if self.SINGLE_USER_MODE:
            self.REGISTRATIONS_MODE = "none"
        if not self.SECRET_KEY:
            self.SECRET_KEY = _secret_key(Path(self.INSTANCE_DIR))

    @property
    def scheme(self) -> str:
        return "https" if self.LOCAL_HTTPS else "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.LOCAL_DOMAIN}"

    @property
    def embedded(self) -> bool:
        """True when one process is the whole instance: no Redis, in-process queue and bus."""
        return not self.REDIS_URL

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")

    def masked(self) -> dict[str, object]:
        """Every setting, with secrets masked (for `fedi config`)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_NAMES and value:
                value = _mask_url(value) if "://" in str(value) else "********"
            out[f.name] = value
        return out


def _mask_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:********@{host}" if ":" in creds else url
    return url
