"""The landing page (what this instance is, the way in, recent local posts) and /about."""

from __future__ import annotations

from flask import Blueprint, request
from markupsafe import Markup

from fedi.entities.admin_blocks import public_domain
from fedi.services import (
    domain_moderation,
    instance,
    instance_rules,
    instance_texts,
    status_listings,
)
from fedi.services.pagination import PageParams
from fedi.web import context
from fedi.web.render import render_page
from fedi.web.session import current_web_account

bp = Blueprint("web_home", __name__)


@bp.get("/")
def index():
    viewer = current_web_account()
    page = status_listings.public(viewer, local=True, max_id=PageParams.parse(request.args).max_id)
    return render_page(
        "home.html",
        public=True,
        block="timeline",
        stats={
            "users": instance.user_count(),
            "statuses": instance.local_status_count(),
            "domains": instance.domain_count(),
        },
        rules=instance_rules.rules(),
        page=page,
        ctx=context.page_context(viewer, page.statuses, "public"),
        first_page="max_id" not in request.args,
    )


@bp.get("/about")
def about():
    policy = instance_texts.privacy_policy()
    # Both texts are HTML the operator wrote in the instance directory (or our defaults).
    return render_page(
        "about.html",
        public=True,
        description=Markup(instance_texts.extended_description().content),
        policy=policy,
        policy_html=Markup(policy.content),
        rules=instance_rules.rules(),
        contact=instance.contact_account(),
        moderated=[(public_domain(b), b) for b in domain_moderation.public_blocks()],
    )
