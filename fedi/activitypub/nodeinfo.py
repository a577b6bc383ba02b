"""/.well-known/nodeinfo and NodeInfo 2.0 / 2.1 documents with truthful usage numbers."""

from __future__ import annotations

from flask import Blueprint, current_app

from fedi.http.json import json_response
from fedi.services import instance
from fedi.software import SOFTWARE_NAME, __version__

bp = Blueprint("activitypub_nodeinfo", __name__)
SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{}"
PROFILE = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{}#"'


@bp.get("/.well-known/nodeinfo")
def well_known():
    base = current_app.config["FEDI"].base_url
    return json_response(
        {
            "links": [
                {"rel": SCHEMA.format(v), "href": f"{base}/nodeinfo/{v}"} for v in ("2.0", "2.1")
            ]
        },
        headers={"Access-Control-Allow-Origin": "*"},
    )


@bp.get("/nodeinfo/<any('2.0', '2.1'):version>")
def document(version: str):
    s = current_app.config["FEDI"]
    software = {"name": SOFTWARE_NAME.lower(), "version": __version__}
    if version == "2.1":
        software["repository"] = "https://github.com/wren-social/wren"
        software["homepage"] = s.base_url
    body = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"outbound": [], "inbound": []},
        "usage": {
            "users": {
                "total": instance.user_count(),
                "activeMonth": instance.active_users(30),
                "activeHalfyear": instance.active_users(180),
            },
            "localPosts": instance.local_status_count(),
        },
        "openRegistrations": s.REGISTRATIONS_MODE == "open",
        "metadata": {"nodeName": s.INSTANCE_TITLE, "nodeDescription": s.INSTANCE_DESCRIPTION},
    }
    response = json_response(body, headers={"Access-Control-Allow-Origin": "*"})
    response.headers["Content-Type"] = PROFILE.format(version)
    return response
