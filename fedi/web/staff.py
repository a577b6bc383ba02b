"""What every admin page shares: the signed-in staff member, checked for the page's permission
(services/staff.py says who may do what), and `staff_can` for the templates (the admin
navigation shows only what the viewer may open)."""

from __future__ import annotations

from fedi.models import Account
from fedi.services import staff
from fedi.services.staff import Permission
from fedi.web import session as web_session
from fedi.web.signed_in import viewer


def staff_member(permission: Permission) -> Account:
    """The viewer (after `login_required`), when they hold the permission; else 403."""
    return staff.require(viewer(), permission)


def staff_can(permission: str) -> bool:
    """Template global: whether the signed-in viewer holds the permission (by its name)."""
    return staff.can(web_session.current_web_account(), Permission(permission))
