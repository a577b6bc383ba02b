"""Settings: profile (names, bio, fields, images, flags), posting preferences, authorized apps,
signed-in browsers (sessions), password, and CSV exports. Every form posts back to its page and
redirects on success."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request

from fedi.errors import DomainError
from fedi.http import session as http_session
from fedi.services import exports, oauth, password_reset, profiles, sessions
from fedi.services.profiles import ProfileUpdate
from fedi.web import session as web_session
from fedi.web import user_agents
from fedi.web.auth import safe_next
from fedi.web.render import render_page
from fedi.web.signed_in import login_required, viewer

bp = Blueprint("web_settings", __name__, url_prefix="/settings")

FIELD_ROWS = 4
LANGUAGES = ("", "en", "de", "es", "fr", "it", "ja", "nl", "pt", "ru", "zh")


def _message(err: DomainError) -> str:
    return err.message.removeprefix("Validation failed: ")


def _saved_flag() -> bool:
    return request.args.get("saved") == "1"


# --- profile ---------------------------------------------------------------------------------


def _profile_form(error: str | None = None, code: int = 200):
    account = viewer()
    fields = [
        (f.get("name", ""), f.get("source", f.get("value", ""))) for f in account.fields or ()
    ]
    fields += [("", "")] * (FIELD_ROWS - len(fields))
    return render_page(
        "settings/profile.html", http_status=code, account=account, fields=fields[:FIELD_ROWS],
        error=error, saved=_saved_flag(),
    )  # fmt: skip


def _upload(name: str) -> bytes | None:
    file = request.files.get(name)
    data = file.read() if file is not None and file.filename else b""
    return data or None


@bp.get("/profile")
@login_required
def profile():
    return _profile_form()


@bp.post("/profile")
@login_required
def save_profile():
    form = request.form
    pairs = [
        (form.get(f"field_name_{i}", ""), form.get(f"field_value_{i}", ""))
        for i in range(FIELD_ROWS)
    ]
    update = ProfileUpdate(
        display_name=form.get("display_name", ""), note=form.get("note", ""), fields=pairs,
        avatar=_upload("avatar"), header=_upload("header"), locked=form.get("locked") == "1",
        bot=form.get("bot") == "1", discoverable=form.get("discoverable") == "1",
    )  # fmt: skip
    try:
        profiles.update_profile(account=viewer(), update=update)
    except DomainError as err:
        return _profile_form(_message(err), err.status_code)
    return redirect("/settings/profile?saved=1", 303)


# --- preferences -----------------------------------------------------------------------------


@bp.get("/preferences")
@login_required
def preferences():
    prefs = profiles.user_settings(viewer().user)
    return render_page(
        "settings/preferences.html", prefs=prefs, privacies=profiles.PRIVACIES,
        languages=LANGUAGES, error=None, saved=_saved_flag(),
    )  # fmt: skip


@bp.post("/preferences")
@login_required
def save_preferences():
    update = ProfileUpdate(
        privacy=request.form.get("privacy", "public"),
        sensitive=request.form.get("sensitive") == "1",
        language=request.form.get("language", ""),
    )
    try:
        profiles.update_profile(account=viewer(), update=update)
    except DomainError as err:
        prefs = profiles.user_settings(viewer().user)
        return render_page(
            "settings/preferences.html", http_status=err.status_code, prefs=prefs,
            privacies=profiles.PRIVACIES, languages=LANGUAGES, error=_message(err), saved=False,
        )  # fmt: skip
    return redirect("/settings/preferences?saved=1", 303)


# --- applications ----------------------------------------------------------------------------


@bp.get("/applications")
@login_required
def applications():
    return render_page("settings/applications.html", apps=oauth.list_authorized_apps(viewer()))


@bp.post("/applications/<int:app_id>/revoke")
@login_required
def revoke(app_id: int):
    oauth.revoke_app(viewer(), app_id)  # its tokens' open streams close too
    return redirect(safe_next(request.form.get("next"), "/settings/applications"), 303)


# --- sessions --------------------------------------------------------------------------------


@bp.get("/sessions")
@login_required
def sessions_page():
    user = http_session.current_user()
    rows = [(row, user_agents.describe(row.user_agent)) for row in sessions.list_for(user)]
    return render_page(
        "settings/sessions.html", sessions=rows, current_id=http_session.current_session_id(),
        apps=oauth.list_authorized_apps(viewer()),
    )  # fmt: skip


@bp.post("/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int):
    if session_id == http_session.current_session_id():
        web_session.log_out()  # revoking this browser's own session signs it out
        return redirect("/", 303)
    sessions.revoke(http_session.current_user(), session_id)  # signed out, streams closed
    return redirect("/settings/sessions", 303)


# --- password --------------------------------------------------------------------------------


@bp.get("/password")
@login_required
def password():
    return render_page("settings/password.html", error=None, saved=_saved_flag())


@bp.post("/password")
@login_required
def change_password():
    try:  # this browser stays signed in; every other session, token and stream ends
        password_reset.change(
            user=http_session.current_user(), current=request.form.get("current_password", ""),
            new=request.form.get("password", ""), keep_session=http_session.current_session_id(),
        )  # fmt: skip
    except DomainError as err:
        return render_page(
            "settings/password.html", http_status=err.status_code, error=_message(err)
        )
    return redirect("/settings/password?saved=1", 303)


# --- export ----------------------------------------------------------------------------------


@bp.get("/export")
@login_required
def export():
    return render_page("settings/export.html", kinds=exports.FILENAMES)


@bp.get("/export/<any(following, blocks, mutes):kind>.csv")
@login_required
def export_csv(kind: str):
    body = exports.export_csv(kind, viewer())
    return Response(
        body, mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{exports.FILENAMES[kind]}"',
            "Cache-Control": "no-store",
        },
    )  # fmt: skip
