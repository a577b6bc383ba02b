"""Wren: a light, Mastodon-compatible ActivityPub server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import orjson

from fedi.config import ROOT, Settings

if TYPE_CHECKING:  # Flask loads in create_app(): gunicorn's arbiter imports this package too
    from flask import Flask

from fedi.software import MASTODON_API_VERSION, SOFTWARE_NAME, __version__

__all__ = ["MASTODON_API_VERSION", "SOFTWARE_NAME", "__version__", "create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app. `settings` defaults to the environment (see fedi/config.py)."""
    from flask import Flask

    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=settings.INSTANCE_DIR,
    )
    app.config.update(
        FEDI=settings,
        SECRET_KEY=settings.SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=settings.DATABASE_URL,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.LOCAL_HTTPS,
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
    from fedi import cli, db_reads, errors, models, queue  # noqa: F401  (models register their tables)
    from fedi.events import bus
    from fedi.extensions import db, migrate
    from fedi.hub import dispatch as hub

    db.init_app(app)
    db_reads.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    bus.init_app(app)
    hub.init_app(app)
    queue.configure(app)
    errors.register_error_handlers(app)
    cli.init_app(app)

    import fedi.tasks  # noqa: F401  (registers every task with the queue)


def _register_blueprints(app: Flask) -> None:
    from fedi.activitypub import actors, inbox, nodeinfo, objects, webfinger
    from fedi.api import oauth, routes
    from fedi.streaming import sse, websocket
    from fedi.web import (
        account_pages,
        auth,
        csrf,
        feeds,
        health,
        home,
        profiles,
        public,
        statuses,
        tags,
    )

    app.url_map.strict_slashes = False  # clients call paths with and without a trailing slash
    for module in (home, health, nodeinfo, webfinger, actors, objects, inbox, auth, oauth):
        app.register_blueprint(module.bp)
    for module in (feeds, profiles, statuses, tags, public):
        app.register_blueprint(module.bp)
    account_pages.init_app(app)
    csrf.init_app(app)
    routes.init_app(app)
    for module in (sse, websocket):
        app.register_blueprint(module.bp)
    from fedi.web import live, push_web, pwa, security

    for module in (pwa, live, push_web):
        app.register_blueprint(module.bp)
    security.init_app(app)
