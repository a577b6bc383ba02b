"""Fixtures for the ActivityPub surface: AS2 request headers and signed GETs from a remote actor
whose key is already known (so verification needs no network)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from fedi.extensions import db
from fedi.models import Account
from fedi.services import keys
from tests.helpers import make_remote

AS2 = {"Accept": "application/activity+json"}
BASE = "https://wren.test"


@pytest.fixture
def remote_signer() -> tuple[Account, str]:
    """(remote account `erin@remote.example` with a stored public key, its private key PEM)."""
    private_pem, public_pem = keys.generate_keypair()
    account = make_remote("erin", public_key_id="https://remote.example/users/erin#main-key")
    account.public_key = public_pem
    db.session.commit()
    return account, private_pem


@pytest.fixture
def signed_get(app: Flask, remote_signer) -> Callable[..., object]:
    """GET `path` signed (draft-cavage) as `remote_signer`, with AS2 Accept."""
    from fedi.federation.signatures import sign_headers

    account, private_pem = remote_signer
    client = app.test_client()

    def get(path: str, *, as_account: Account | None = None, pem: str | None = None):
        signer = as_account or account
        headers = sign_headers(
            method="GET",
            url=f"{BASE}{path}",
            body=None,
            key_id=signer.public_key_id,
            private_key_pem=pem or private_pem,
            headers=dict(AS2),
        )
        headers.pop("Host")
        return client.get(path, headers=headers, base_url=BASE)

    return get
