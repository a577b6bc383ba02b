"""Mastodon.py's admin account methods against a real instance (`fedi serve` on 127.0.0.1): a
moderator's token with the admin scopes lists accounts (v1 and v2 filters), reads one, warns,
limits, suspends and lifts each, as an admin app would."""

from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.federation.test_multi_instance import Instance, start
from tests.processes import FEDI, free_port, run

pytestmark = [pytest.mark.slow, pytest.mark.embedded]
PASSWORD = "correct horse battery"
SCOPES = "read write admin:read admin:write"


def _client(inst: Instance, username: str) -> Mastodon:
    app = httpx.post(f"{inst.base}/api/v1/apps", json={
        "client_name": "admin app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": SCOPES,
    }, timeout=10).json()  # fmt: skip
    token = httpx.post(f"{inst.base}/oauth/token", data={
        "grant_type": "password", "username": f"{username}@example.com", "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": SCOPES,
    }, timeout=10)  # fmt: skip
    assert token.status_code == 200, token.text
    return Mastodon(
        access_token=token.json()["access_token"], api_base_url=inst.base,
        version_check_mode="none",
    )  # fmt: skip


def test_mastodon_py_admin_account_methods(tmp_path):
    with ExitStack() as stack:
        inst = Instance("a", free_port(), tmp_path / "instance", tmp_path / "logs")
        start(inst, stack)
        for user in ("amod", "alice"):
            inst.add_user(user)
        made = run([*FEDI, "set-role", "amod", "moderator"], inst.env())
        assert made.returncode == 0, made.stdout + made.stderr
        api = _client(inst, "amod")

        everyone = api.admin_accounts_v2(origin="local")
        assert {a.username for a in everyone} >= {"amod", "alice"}
        alice = next(a for a in everyone if a.username == "alice")
        assert alice.email == "alice@example.com" and alice.role.id == "-99"
        staff = {a.username for a in api.admin_accounts_v2(permissions="staff")}
        assert "amod" in staff and "alice" not in staff
        assert api.admin_account(alice.id).account.acct == "alice"

        api.admin_account_moderate(alice.id, None, text="Be nice")
        api.admin_account_moderate(alice.id, "silence")
        assert api.admin_account(alice.id).silenced is True
        assert api.admin_account_unsilence(alice.id).silenced is False
        api.admin_account_moderate(alice.id, "suspend")
        suspended = api.admin_accounts_v2(status="suspended")
        assert [a.username for a in suspended] == ["alice"]
        assert api.admin_account_unsuspend(alice.id).suspended is False
        with pytest.raises(MastodonAPIError):
            api.admin_account_moderate(alice.id, "obliterate")

        user_api = _client(inst, "alice")  # admin scopes, but no staff role
        with pytest.raises(MastodonAPIError):
            user_api.admin_accounts_v2()
