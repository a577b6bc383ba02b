"""Actions on another account: follow/unfollow (a request for locked accounts), mute, block and
add to one of my lists. Forms post to /accounts/<id>/<action>; an HTMX request gets the updated
buttons back, a plain one a redirect to where it came from."""

from __future__ import annotations

from flask import Blueprint, abort, request

from fedi.models import Account
from fedi.services import account_lookup, blocks, follows, lists, relationships
from fedi.web import session as web_session
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import login_required, redirect_back, viewer

bp = Blueprint("web_account_actions", __name__)


def _add_to_list(*, account: Account, target: Account) -> None:
    list_ = lists.get_owned(request.form.get("list_id"), account)
    lists.add_members(list_=list_, account_ids=[target.id])


def _remove_from_list(*, account: Account, target: Account) -> None:
    list_ = lists.get_owned(request.form.get("list_id"), account)
    lists.remove_members(list_=list_, account_ids=[target.id])


ACTIONS = {
    "follow": follows.follow,
    "unfollow": follows.unfollow,
    "mute": blocks.mute,
    "unmute": blocks.unmute,
    "block": blocks.block,
    "unblock": blocks.unblock,
    "add_to_list": _add_to_list,
    "remove_from_list": _remove_from_list,
}


def actions_context(account: Account) -> dict[str, object] | None:
    """What profile_actions.html needs about `account` as the signed-in viewer sees it (None
    for visitors and for one's own profile)."""
    me = web_session.current_web_account()
    if me is None or me.id == account.id:
        return None
    rel = relationships.relationship(me, account)
    return {"relationship": rel, "my_lists": lists.owned(me)}


bp.add_app_template_global(actions_context, "profile_actions_context")


@bp.post("/accounts/<int:account_id>/<action>")
@login_required
def act(account_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    target = account_lookup.get_account(account_id)
    ACTIONS[action](account=viewer(), target=target)
    if is_htmx():
        return render_page("app/_profile_actions.html", account=target)
    return redirect_back(f"/@{target.acct}")
