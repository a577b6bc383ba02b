"""Local accounts: creation with keys, validation, lookup, roles and passwords."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import Account, Role, User
from fedi.services import accounts
from tests.helpers import make_local


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Account.id))),
        db.session.scalar(select(func.count(User.id))),
    )


def test_create_local_account_with_urls_and_keys():
    account = accounts.create_local_account(
        username="Alice", email=" Alice@Example.COM ", password="correct horse battery"
    )

    assert account.local and account.acct == "Alice"
    assert account.uri == "https://wren.test/users/Alice"
    assert account.url == "https://wren.test/@Alice"
    assert account.inbox_url == "https://wren.test/users/Alice/inbox"
    assert account.shared_inbox_url == "https://wren.test/inbox"
    assert account.followers_url == "https://wren.test/users/Alice/followers"
    assert account.public_key_id == "https://wren.test/users/Alice#main-key"
    private = serialization.load_pem_private_key(account.private_key.encode(), password=None)
    public = serialization.load_pem_public_key(account.public_key.encode())
    assert private.public_key().public_numbers() == public.public_numbers()
    assert account.user.email == "alice@example.com"
    assert account.user.role == Role.USER and account.user.confirmed_at is not None
    assert account.user.password_hash != "correct horse battery"
    assert accounts.get_local("ALICE").id == account.id


@pytest.mark.parametrize(
    ("username", "email", "password", "message"),
    [
        ("", "a@example.com", "long enough pw", "Username can't be blank"),
        ("bad name", "a@example.com", "long enough pw", "Username must contain only"),
        ("x" * 31, "a@example.com", "long enough pw", "Username is too long"),
        ("admin", "a@example.com", "long enough pw", "Username is reserved"),
        ("ann", "not-an-email", "long enough pw", "Email is invalid"),
        ("ann", "a@example.com", "short", "Password is too short"),
    ],
)
def test_invalid_sign_up_data_writes_nothing(username, email, password, message):
    with pytest.raises(Unprocessable, match=message) as err:
        accounts.create_local_account(username=username, email=email, password=password)
    assert err.value.status_code == 422
    assert counts() == (0, 0)


def test_duplicate_username_and_email_are_rejected_case_insensitively(alice):
    with pytest.raises(Unprocessable, match="Username is already taken") as err:
        make_local("ALICE")
    assert err.value.details["username"][0]["error"] == "ERR_TAKEN"
    with pytest.raises(Unprocessable, match="Email is already taken"):
        accounts.create_local_account(
            username="alice2", email="ALICE@example.com", password="long enough pw"
        )
    assert counts() == (1, 1)


def test_a_remote_account_may_share_a_local_username(alice, remote_dave):
    from tests.helpers import make_remote

    twin = make_remote("alice", "remote.example")
    assert accounts.find_by_acct("alice", None).id == alice.id
    assert accounts.find_by_acct("alice", "wren.test").id == alice.id
    assert accounts.find_by_acct("Alice", "REMOTE.example").id == twin.id
    assert accounts.find_by_acct("nobody", "remote.example") is None


def test_unknown_user_is_not_found():
    with pytest.raises(NotFound, match="Record not found"):
        accounts.get_local("nobody")
    with pytest.raises(NotFound):
        accounts.set_role(username="nobody", role=Role.ADMIN)
    with pytest.raises(NotFound):
        accounts.reset_password(username="nobody")


def test_roles_passwords_and_sign_in(alice):
    assert accounts.authenticate(login="alice@example.com", password="correct horse battery")
    assert accounts.authenticate(login="alice", password="correct horse battery")
    assert accounts.authenticate(login="alice", password="wrong") is None

    accounts.set_role(username="alice", role=Role.MODERATOR)
    assert alice.user.is_staff

    new = accounts.reset_password(username="alice")
    assert accounts.authenticate(login="alice", password=new)
    assert accounts.authenticate(login="alice", password="correct horse battery") is None
    with pytest.raises(Unprocessable, match="too short"):
        accounts.reset_password(username="alice", password="short")

    alice.user.disabled = True
    db.session.commit()
    assert accounts.authenticate(login="alice", password=new) is None
