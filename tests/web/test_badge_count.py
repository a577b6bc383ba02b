"""The notification badge's count (services.notifications.unread_badge_count, one prebuilt
statement) agrees with unread_count() through the read marker, blocks, mutes with and without
hidden notifications, expired mutes and deleted statuses, and shows on every page."""

from __future__ import annotations

from datetime import timedelta

from fedi.extensions import db
from fedi.models import Mute, utcnow
from fedi.services import blocks, markers, notifications, statuses
from tests.web.signed_in import page, signed_in


def _both(account) -> tuple[int, int]:
    full = notifications.unread_count(account, notifications.Filters(), limit=100)
    return notifications.unread_badge_count(account.id, limit=100), full


def test_the_badge_count_follows_the_same_rules_as_unread_count(app, alice, bob, carol):
    first = statuses.post_status(account=bob, text="@alice one")
    statuses.post_status(account=carol, text="@alice two")
    assert _both(alice) == (2, 2)

    markers.save_markers(alice, {"notifications": {"last_read_id": str(2**63 - 1)}})
    assert _both(alice) == (0, 0)
    markers.save_markers(alice, {"notifications": {"last_read_id": "0"}})
    assert _both(alice) == (2, 2)

    blocks.block(account=alice, target=carol)
    assert _both(alice) == (1, 1)
    blocks.mute(account=alice, target=bob, notifications=False)  # notifications still shown
    assert _both(alice) == (1, 1)
    blocks.mute(account=alice, target=bob, notifications=True)
    assert _both(alice) == (0, 0)
    mute = db.session.query(Mute).filter_by(account_id=alice.id).one()
    mute.expires_at = utcnow() - timedelta(minutes=1)  # an expired mute hides nothing
    db.session.commit()
    assert _both(alice) == (1, 1)

    statuses.delete_status(status=first, by=bob)
    assert _both(alice) == (0, 0)
    assert notifications.unread_badge_count(alice.id, limit=1) == 0


def test_the_badge_is_capped_and_on_every_signed_in_page(app, alice, bob):
    for n in range(3):
        statuses.post_status(account=bob, text=f"@alice ping {n}")
    assert notifications.unread_badge_count(alice.id, limit=2) == 2
    home = page(signed_in(app), "/home")
    assert 'id="nav-badge" class="badge" aria-label="3 unread">3</span>' in home
