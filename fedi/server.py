"""Start-up for `fedi serve`: migrate, first-run admin, then gunicorn.

The embedded default is one gunicorn worker (its open streams served by the streaming hub, off the
request threads) and the task queue consumed by threads inside that worker, so one process is the
whole instance.
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask

from fedi.config import ROOT


def prepare(app: Flask) -> None:
    """Bring the database to the newest schema and, on a first embedded start, create an admin."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        _first_admin(app)


def _first_admin(app: Flask) -> None:
    from fedi.models import Role
    from fedi.services import accounts

    settings = app.config["FEDI"]
    if not settings.embedded or accounts.count_local_users() > 0:
        return
    host = settings.LOCAL_DOMAIN.split(":")[0]
    email = f"admin@{host if '.' in host else host + '.local'}"
    password = accounts.generate_password()
    accounts.create_local_account(
        username="admin", email=email, password=password, role=Role.ADMIN, allow_reserved=True
    )
    click.secho("First start: an admin account was created. Keep these, they are shown once:",
                fg="yellow", bold=True)  # fmt: skip
    click.echo(f"  login:    {email}  (username: admin)")
    click.echo(f"  password: {password}")


def serve(host: str, port: int, *, threads: int = 8) -> None:
    """Replace this process with gunicorn (so the arbiter stays small and the app loads once)."""
    workers = os.environ.get("WEB_CONCURRENCY") or "1"
    args = [
        sys.executable, "-m", "gunicorn",
        "--chdir", str(ROOT),
        "--config", "python:fedi.gunicorn_conf",
        "--bind", f"{host}:{port}",
        "--workers", workers,
        "--worker-class", "gthread",
        "--threads", str(threads),
        "app:app",
    ]  # fmt: skip
    click.echo(f"Serving on http://{host}:{port}")
    sys.stdout.flush()
    os.execv(sys.executable, args)
