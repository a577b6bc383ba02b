"""An account's statuses page reads the account from a short per-process cache
(services/account_lookup.get_account_ref): a suspension, an approval or a deletion committed in
this process still applies to the very next request."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import utcnow
from fedi.services import statuses
from tests.helpers import bearer, make_local, token_for


def test_suspension_approval_and_deletion_apply_to_the_next_request(client, alice):
    bob = make_local("bob")
    statuses.post_status(account=bob, text="hello")
    headers = bearer(token_for(alice, "read"))
    path = f"/api/v1/accounts/{bob.id}/statuses"
    assert len(client.get(path, headers=headers).get_json()) == 1
    assert len(client.get(path, headers=headers).get_json()) == 1  # now from the cache

    bob.suspended_at = utcnow()
    db.session.commit()
    assert client.get(path, headers=headers).get_json() == []

    newcomer = make_local("newcomer")
    newcomer.user.approved = False
    db.session.commit()
    waiting = f"/api/v1/accounts/{newcomer.id}/statuses"
    assert client.get(waiting, headers=headers).status_code == 404
    newcomer.user.approved = True
    db.session.commit()
    assert client.get(waiting, headers=headers).status_code == 200

    db.session.delete(newcomer.user)
    db.session.delete(newcomer)
    db.session.commit()
    assert client.get(waiting, headers=headers).status_code == 404
