"""The admin dashboard: live figures and 30 days of charts drawn as SVG on the server, for
staff only; the space used shows to admins only."""

from __future__ import annotations

from fedi.models import Role
from fedi.services import statuses
from tests.helpers import make_local
from tests.web.signed_in import page, signed_in


def test_dashboard_shows_figures_and_charts(app):
    make_local("moddy", role=Role.MODERATOR)
    alice = make_local("alice")
    statuses.post_status(account=alice, text="one")
    body = page(signed_in(app, "moddy"), "/admin/")
    assert "<h1>Dashboard</h1>" in body and "Open reports" in body and "Tasks queued" in body
    assert body.count('<svg class="chart"') == 7
    assert 'aria-label="Posts, last 30 days, peak 1"' in body
    assert "Space used" not in body  # moderators do not configure the server


def test_admins_see_the_space_used(app):
    make_local("boss", role=Role.ADMIN)
    body = page(signed_in(app, "boss"), "/admin/")
    assert "Space used" in body and "Database" in body


def test_dashboard_is_for_staff_only(app):
    make_local("alice")
    assert signed_in(app, "alice").get("/admin/").status_code == 403
