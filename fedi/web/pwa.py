"""The installable app: the web app manifest, the service worker (served from the root so its
scope is the whole site) and the page it shows when the network is gone."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory

from fedi.http.json import json_response

bp = Blueprint("web_pwa", __name__)

THEME_COLOR = "#5b4bdb"
BACKGROUND_COLOR = "#ffffff"
ICON_SIZES = (192, 512)


def manifest_document() -> dict:
    settings = current_app.config["FEDI"]
    icons = []
    for size in ICON_SIZES:
        for purpose, name in (("any", f"icon-{size}.png"), ("maskable", f"maskable-{size}.png")):
            icons.append(
                {
                    "src": f"/static/icons/{name}",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": purpose,
                }
            )
    return {
        "id": "/home",
        "name": settings.INSTANCE_TITLE,
        "short_name": settings.INSTANCE_TITLE[:12],
        "description": settings.INSTANCE_DESCRIPTION,
        "start_url": "/home",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }


@bp.get("/manifest.webmanifest")
def manifest():
    response = json_response(manifest_document())
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    response.mimetype = "text/javascript"
    return response


@bp.get("/offline")
def offline():
    return render_template("offline.html")
