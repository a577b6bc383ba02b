"""Public profiles: `/@user` and `/@user@domain` with the tabs posts, posts and replies, media."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import custom_emojis, status_listings
from fedi.services.pagination import PageParams
from fedi.text.sanitize import html_to_text
from fedi.web import context, negotiate
from fedi.web.render import add_vary, render_page
from fedi.web.session import current_web_account

bp = Blueprint("web_profiles", __name__)
context.register(bp)

TAB_PATHS = {"posts": "", "with_replies": "/with_replies", "media": "/media"}


def _profile(acct: str, tab: str):
    account = status_listings.profile_account(acct)
    if negotiate.wants_activitypub():
        return negotiate.to_object(account.uri)
    viewer = current_web_account()
    max_id = PageParams.parse(request.args).max_id
    page = status_listings.profile(viewer, account, tab, max_id)
    response = render_page(
        "profiles/show.html",
        public=True,
        block="timeline",
        account=account,
        tab=tab,
        tab_paths=TAB_PATHS,
        page=page,
        ctx=context.page_context(viewer, [*page.pinned, *page.statuses], "account"),
        first_page=max_id is None,
        summary=html_to_text(account.note)[:300],
        emoji_sources=context.emoji_sources(custom_emojis.of_account(account)),
    )
    return add_vary(response, "Accept")


@bp.get("/@<acct>")
def show(acct: str):
    return _profile(acct, "posts")


@bp.get("/@<acct>/with_replies")
def with_replies(acct: str):
    return _profile(acct, "with_replies")


@bp.get("/@<acct>/media")
def media(acct: str):
    return _profile(acct, "media")
