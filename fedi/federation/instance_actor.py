"""The instance actor: the server's own signing identity for fetches (Mastodon's `/actor`).

A local account row with a keypair and no login, created on first use; username = the local
domain and actor type `Application`, as Mastodon does. It is not discoverable and has no user, so
it never appears in directories, searches or user counts.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fedi import urls
from fedi.extensions import db
from fedi.models import Account
from fedi.services import keys

ACTOR_TYPE = "Application"


def instance_actor_uri() -> str:
    return f"{urls.base_url()}/actor"


def _find() -> Account | None:
    return db.session.scalar(
        select(Account).where(
            Account.domain.is_(None),
            func.lower(Account.username) == urls.local_domain().lower(),
        )
    )


def _new() -> Account:
    private_pem, public_pem = keys.generate_keypair()
    uri = instance_actor_uri()
    return Account(
        username=urls.local_domain(),
        domain=None,
        actor_type=ACTOR_TYPE,
        uri=uri,
        url=f"{urls.base_url()}/about/more?instance_actor=true",
        inbox_url=f"{uri}/inbox",
        outbox_url=f"{uri}/outbox",
        shared_inbox_url=urls.shared_inbox_url(),
        public_key_id=f"{uri}#main-key",
        public_key=public_pem,
        private_key=private_pem,
        locked=True,
        discoverable=False,
        indexable=False,
        hide_collections=True,
    )


def get_instance_actor() -> Account:
    """The instance actor, created (and committed) the first time it is needed."""
    existing = _find()
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            db.session.add(_new())
        db.session.commit()
    except IntegrityError:  # another process made it first
        db.session.rollback()
    found = _find()
    if found is None:
        raise RuntimeError("the instance actor could not be created")
    return found


def is_instance_actor(account: Account) -> bool:
    return account.local and account.actor_type == ACTOR_TYPE
