"""The landing page: what this instance is, and the way in."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from fedi.services import instance, timelines
from fedi.services.pagination import PageParams

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    settings = current_app.config["FEDI"]
    return render_template(
        "home.html",
        settings=settings,
        stats={
            "users": instance.user_count(),
            "statuses": instance.local_status_count(),
            "domains": instance.domain_count(),
        },
        statuses=timelines.public(None, PageParams(limit=20), local=True),
    )
