"""Helpers the account endpoints share: account lists (with `moved` and the custom emoji their
names and bios use preloaded in one query each),
paged account lists with Link headers, and the Relationship answer of the account actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response

from fedi.api.pagination import add_link_header
from fedi.entities.account import account as account_entity
from fedi.entities.relationship import relationship as relationship_entity
from fedi.http.json import json_response
from fedi.models import Account
from fedi.services import account_lookup, custom_emojis, relationships

ACCOUNTS_DEFAULT = 40
ACCOUNTS_MAX = 80


def accounts_json(rows: Sequence[Account]) -> list[dict[str, Any]]:
    moved = account_lookup.moved_targets(rows)
    emojis = custom_emojis.for_accounts(rows)
    return [
        account_entity(
            r,
            moved=moved.get(r.moved_to_account_id or 0),
            emojis=custom_emojis.of_account(r, emojis),
        )
        for r in rows
    ]


def account_json(row: Account) -> dict[str, Any]:
    return accounts_json([row])[0]


def paged_accounts(pairs: Sequence[tuple[int, Account]]) -> Response:
    """A page of (row id, account) pairs; the Link header pages by the row id (follow, block,
    mute ...), as Mastodon does."""
    response = json_response(accounts_json([a for _, a in pairs]))
    return add_link_header(response, pairs, key=lambda pair: pair[0])


def relationship_response(viewer: Account, target: Account) -> Response:
    return json_response(relationship_entity(relationships.relationship(viewer, target)))
