"""Wren: a light, Mastodon-compatible ActivityPub server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import orjson

from fedi import clock
from fedi.config import ROOT, Settings

if TYPE_CHECKING:  # Flask loads in create_app(): gunicorn's arbiter imports this package too
    from flask import Flask

from fedi.software import MASTODON_API_VERSION, SOFTWARE_NAME, __version__

__all__ = ["MASTODON_API_VERSION", "SOFTWARE_NAME", "__version__", "create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app. `settings` defaults to the environment (see fedi/config.py)."""
    from flask import Flask

    settings = settings or Settings.from_env()
    clock.configure(settings.TEST_CLOCK_OFFSET_FILE)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=settings.INSTANCE_DIR,
    )
    from fedi.http.json import BoundedJSONProvider
    from fedi.services.sessions import IDLE_LIFETIME

    app.json = BoundedJSONProvider(app)
    app.config.update(
        FEDI=settings,
        SECRET_KEY=settings.SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=settings.DATABASE_URL,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        MAX_CONTENT_LENGTH=100 * 1024 * 1024,  # a 99 MB video and its form fields
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.LOCAL_HTTPS,
        PERMANENT_SESSION_LIFETIME=IDLE_LIFETIME,  # a browser session idle this long ends
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(
        level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app.context_processor(lambda: {"settings": settings})
    _init_extensions(app)
    _register_blueprints(app)
    return app


def _site_settings() -> None:
    """Lay the admins' site settings over the environment's (services/site_settings.py)."""
    from flask import current_app, request

    from fedi.services import site_settings

    if request.endpoint != "static":
        site_settings.refresh(current_app.config["FEDI"])


def _json_dumps(value: object) -> str:
    # A module-level function: psycopg caches its JSON adapters per function, and warns that a
    # closure could leak.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _engine_options(settings: Settings) -> dict[str, object]:
    # JSON columns parse and serialise with orjson (an inbound activity is stored as it came);
    # stale pooled connections are caught by the idle ping in fedi/extensions.py rather than
    # by a ping before every checkout.
    options: dict[str, object] = {"json_deserializer": orjson.loads, "json_serializer": _json_dumps}
    if settings.is_sqlite:
        return {**options, "connect_args": {"timeout": 30}}
    # Prepared statements (psycopg prepares a statement on its fifth run on a connection) keep
    # their generic plan: PostgreSQL's default re-plans a page query on every run when the
    # generic plan's estimate looks worse, and planning costs more than running it (W1 home:
    # 0.9 ms of planning for 0.4 ms of execution). Only statements run over and over are
    # prepared; everything else is planned per run as before.
    connect_args = {"options": "-c plan_cache_mode=force_generic_plan"}
    return {**options, "pool_size": 10, "max_overflow": 20, "connect_args": connect_args}


def _init_extensions(app: Flask) -> None:
    from fedi import cli, db_reads, errors, models, queue, rate_counters  # noqa: F401  (models)
    from fedi.events import bus
    from fedi.extensions import db, migrate
    from fedi.hub import dispatch as hub

    db.init_app(app)
    db_reads.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    bus.init_app(app)
    hub.init_app(app)
    queue.configure(app)
    rate_counters.init_app(app)
    errors.register_error_handlers(app)
    cli.init_app(app)

    import fedi.tasks  # noqa: F401  (registers every task with the queue)


def _register_blueprints(app: Flask) -> None:
    """Every blueprint of every face, and the request hooks. Each module below defines one
    blueprint `bp` named after the module: fedi/web/search.py is "web_search", so the endpoint
    "api_v1_statuses.show" is in fedi/api/v1/statuses.py."""
    import importlib

    from fedi import api
    from fedi.http import null_characters
    from fedi.http.converters import RowIdConverter
    from fedi.web import csrf, security

    app.url_map.strict_slashes = False  # clients call paths with and without a trailing slash
    app.url_map.converters["int"] = RowIdConverter  # ids past 64 bits name nothing: 404
    for name in (
        # the web UI: public pages
        "fedi.web.home", "fedi.web.health", "fedi.web.auth", "fedi.web.feeds",
        "fedi.web.profiles", "fedi.web.statuses", "fedi.web.tags", "fedi.web.public",
        "fedi.web.pwa",
        # the web UI: signed-in pages
        "fedi.web.signup", "fedi.web.password", "fedi.web.timelines", "fedi.web.compose",
        "fedi.web.status_actions", "fedi.web.account_actions", "fedi.web.notifications",
        "fedi.web.follow_requests", "fedi.web.lists", "fedi.web.search", "fedi.web.saved",
        "fedi.web.settings", "fedi.web.filters", "fedi.web.two_factor", "fedi.web.admin",
        "fedi.web.live", "fedi.web.push", "fedi.web.scheduled", "fedi.web.directory",
        "fedi.web.announcements", "fedi.web.reports", "fedi.web.warnings",
        # the web UI: the admin area
        "fedi.web.admin_reports", "fedi.web.admin_accounts", "fedi.web.admin_trends",
        "fedi.web.admin_domains", "fedi.web.admin_sign_up_blocks", "fedi.web.admin_rules",
        "fedi.web.admin_announcements", "fedi.web.admin_custom_emojis", "fedi.web.admin_site",
        # ActivityPub and discovery
        "fedi.activitypub.nodeinfo", "fedi.activitypub.webfinger", "fedi.activitypub.actors",
        "fedi.activitypub.objects", "fedi.activitypub.inbox",
        # the client API
        "fedi.api.oauth", "fedi.api.instance",
        "fedi.api.v1.accounts", "fedi.api.v1.accounts_actions",
        "fedi.api.v1.accounts_credentials", "fedi.api.v1.accounts_media",
        "fedi.api.v1.announcements", "fedi.api.v1.apps", "fedi.api.v1.blocks",
        "fedi.api.v1.bookmarks", "fedi.api.v1.conversations", "fedi.api.v1.custom_emojis",
        "fedi.api.v1.domain_blocks", "fedi.api.v1.emails", "fedi.api.v1.endorsements",
        "fedi.api.v1.favourites", "fedi.api.v1.featured_tags", "fedi.api.v1.follow_requests",
        "fedi.api.v1.instance", "fedi.api.v1.lists", "fedi.api.v1.filters", "fedi.api.v1.markers",
        "fedi.api.v1.media", "fedi.api.v1.mutes", "fedi.api.v1.notifications",
        "fedi.api.v1.polls", "fedi.api.v1.preferences", "fedi.api.v1.push", "fedi.api.v1.reports",
        "fedi.api.v1.scheduled_statuses", "fedi.api.v1.directory",
        "fedi.api.v1.statuses", "fedi.api.v1.statuses_actions", "fedi.api.v1.suggestions",
        "fedi.api.v1.tags", "fedi.api.v1.timelines", "fedi.api.v1.trends",
        "fedi.api.v2.filters", "fedi.api.v2.media", "fedi.api.v2.notifications",
        "fedi.api.v2.search", "fedi.api.v2.suggestions",
        # the admin API
        "fedi.api.v1.admin.measures", "fedi.api.v1.admin.trends",
        "fedi.api.v1.admin.reports",
        "fedi.api.v1.admin.domain_blocks", "fedi.api.v1.admin.domain_allows",
        "fedi.api.v1.admin.email_domain_blocks", "fedi.api.v1.admin.canonical_email_blocks",
        "fedi.api.v1.admin.ip_blocks", "fedi.api.v1.admin.accounts", "fedi.api.v2.admin.accounts",
        # streaming
        "fedi.streaming.sse", "fedi.streaming.websocket",
    ):  # fmt: skip
        app.register_blueprint(importlib.import_module(name).bp)
    # Request hooks run in this order (NUL refused before anything reads the request, CSRF before
    # the rate limits); response hooks in reverse.
    null_characters.init_app(app)
    app.before_request(_site_settings)
    csrf.init_app(app)
    api.init_app(app)
    security.init_app(app)
