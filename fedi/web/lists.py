"""Lists: create, rename and delete them, see and remove members, read a list's timeline.
Adding people happens from their profile actions (they must be followed first)."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from fedi.errors import DomainError
from fedi.services import lists
from fedi.services.pagination import PageParams
from fedi.web.render import render_page
from fedi.web.signed_in import login_required, redirect_back, viewer
from fedi.web.timelines import timeline_page

bp = Blueprint("web_lists", __name__)

POLICIES = (("list", "Members of the list"), ("followed", "Anyone I follow"), ("none", "Nobody"))


def _index(error: str | None = None, code: int = 200):
    return render_page(
        "app/lists.html", http_status=code, lists=lists.owned(viewer()), error=error,
        policies=POLICIES,
    )  # fmt: skip


@bp.get("/lists")
@login_required
def index():
    return _index()


@bp.post("/lists")
@login_required
def create():
    try:
        lists.create_list(
            owner=viewer(), title=request.form.get("title"),
            replies_policy=request.form.get("replies_policy") or None,
            exclusive=request.form.get("exclusive") == "1",
        )  # fmt: skip
    except DomainError as err:
        return _index(err.message.removeprefix("Validation failed: "), err.status_code)
    return redirect("/lists", 303)


@bp.get("/lists/<int:list_id>")
@login_required
def show(list_id: int):
    list_ = lists.get_owned(list_id, viewer())
    params = PageParams.parse(request.args)
    return timeline_page(
        "app/list.html", lists.timeline(list_, params), params, filter_context="home", list_=list_,
        members=lists.members(list_, None), title=list_.title, name=f"list:{list_.id}",
        policies=POLICIES,
    )  # fmt: skip


@bp.post("/lists/<int:list_id>/edit")
@login_required
def update(list_id: int):
    list_ = lists.get_owned(list_id, viewer())
    lists.update_list(
        list_=list_, title=request.form.get("title"),
        replies_policy=request.form.get("replies_policy") or None,
        exclusive=request.form.get("exclusive") == "1",
    )  # fmt: skip
    return redirect(f"/lists/{list_.id}", 303)


@bp.post("/lists/<int:list_id>/delete")
@login_required
def delete(list_id: int):
    lists.delete_list(list_=lists.get_owned(list_id, viewer()))
    return redirect("/lists", 303)


@bp.post("/lists/<int:list_id>/members/<int:account_id>/remove")
@login_required
def remove_member(list_id: int, account_id: int):
    lists.remove_members(list_=lists.get_owned(list_id, viewer()), account_ids=[account_id])
    return redirect_back(f"/lists/{list_id}")
