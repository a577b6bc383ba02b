"""Custom emoji (admins): the local and remote lists with filters, uploading a local emoji with a
plain multipart form, and per emoji: category and picker, disable, enable, delete, and copying
a remote one here. An upload is processed within its request (one image of at most 256 KB;
see services/custom_emoji_admin.py); copying fetches the remote image within the request too,
through the guarded client, under the same cap."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, request

from fedi.errors import Unprocessable
from fedi.federation.client import get_file
from fedi.federation.safe_http import FetchError
from fedi.services import custom_emoji_admin
from fedi.services.custom_emoji_admin import EmojiQuery
from fedi.services.staff import Permission
from fedi.web.context import emoji_sources
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_custom_emojis", __name__, url_prefix="/admin/custom_emojis")
DONE = {"created": "Emoji added.", "updated": "Emoji saved.", "disabled": "Emoji disabled.",
        "enabled": "Emoji enabled.", "deleted": "Emoji deleted.",
        "copied": "Emoji copied to this server."}  # fmt: skip
COPY_DEADLINE = 10.0


def _query() -> EmojiQuery:
    return EmojiQuery(
        remote=request.values.get("tab") == "remote",
        shortcode=request.values.get("shortcode", "")[:128],
        domain=request.values.get("domain", "")[:255],
        page=max(1, min(request.args.get("page", 1, type=int) or 1, 10_000)),
    )


def _page(me, *, error: str = "", form: dict[str, str] | None = None, q: EmojiQuery | None = None):
    q = q or _query()
    rows, more = custom_emoji_admin.listing(q, by=me)
    filters = {"tab": "remote" if q.remote else "local", "shortcode": q.shortcode,
               "domain": q.domain}  # fmt: skip
    return render_page(
        "admin/custom_emojis.html", http_status=422 if error else 200, emojis=rows, q=q,
        sources=emoji_sources(rows), error=error, done=DONE.get(request.args.get("done", ""), ""),
        form=form or {"shortcode": "", "category": ""}, limit_kb=custom_emoji_admin.LIMIT // 1024,
        next_page=f"?{urlencode({**filters, 'page': q.page + 1})}" if more else None,
        previous_page=f"?{urlencode({**filters, 'page': q.page - 1})}" if q.page > 1 else None,
    )  # fmt: skip


def _back(done: str, remote: bool):
    tab = "&tab=remote" if remote else ""
    return redirect(f"/admin/custom_emojis/?done={done}{tab}", 303)


@bp.get("/")
@login_required
def index():
    return _page(staff_member(Permission.MANAGE_CUSTOM_EMOJIS))


@bp.post("/")
@login_required
def create():
    me = staff_member(Permission.MANAGE_CUSTOM_EMOJIS)
    form = {k: request.form.get(k, "")[:255] for k in ("shortcode", "category")}
    upload = request.files.get("image")
    # Read one byte past the cap: a larger file is refused without reading all of it.
    data = upload.stream.read(custom_emoji_admin.LIMIT + 1) if upload else b""
    try:
        custom_emoji_admin.create(
            shortcode=form["shortcode"], data=data, category=form["category"],
            visible_in_picker=bool(request.form.get("visible_in_picker")), by=me,
        )  # fmt: skip
    except Unprocessable as error:
        return _page(me, error=str(error), form=form, q=EmojiQuery())
    return _back("created", False)


@bp.post("/<int:emoji_id>")
@login_required
def update(emoji_id: int):
    me = staff_member(Permission.MANAGE_CUSTOM_EMOJIS)
    try:
        custom_emoji_admin.update(
            emoji_id, category=request.form.get("category", ""),
            visible_in_picker=bool(request.form.get("visible_in_picker")), by=me,
        )  # fmt: skip
    except Unprocessable as error:
        return _page(me, error=str(error), q=EmojiQuery())
    return _back("updated", False)


@bp.post("/<int:emoji_id>/<any(disable, enable):action>")
@login_required
def toggle(emoji_id: int, action: str):
    me = staff_member(Permission.MANAGE_CUSTOM_EMOJIS)
    emoji = custom_emoji_admin.set_disabled(emoji_id, action == "disable", by=me)
    return _back(f"{action}d", emoji.domain is not None)


@bp.post("/<int:emoji_id>/delete")
@login_required
def delete(emoji_id: int):
    me = staff_member(Permission.MANAGE_CUSTOM_EMOJIS)
    remote = custom_emoji_admin.get(emoji_id).domain is not None
    custom_emoji_admin.delete(emoji_id, by=me)
    return _back("deleted", remote)


@bp.post("/<int:emoji_id>/copy")
@login_required
def copy(emoji_id: int):
    me = staff_member(Permission.MANAGE_CUSTOM_EMOJIS)
    remote = EmojiQuery(remote=True)
    try:
        emoji = custom_emoji_admin.remote_to_copy(emoji_id, by=me)
        data = get_file(
            emoji.image_remote_url or "", max_bytes=custom_emoji_admin.LIMIT,
            deadline=COPY_DEADLINE,
        )  # fmt: skip
        custom_emoji_admin.copy(emoji_id, data=data, by=me)
    except FetchError:
        return _page(me, error="The emoji's image could not be fetched from its server", q=remote)
    except Unprocessable as error:
        return _page(me, error=str(error), q=remote)
    return _back("copied", False)
