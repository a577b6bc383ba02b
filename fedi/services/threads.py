"""A status's thread (Mastodon's context): the replies above it and the replies below it.

Both sides are read with one recursive query each, whatever the thread's size; the statuses are
then loaded and filtered for the viewer in a fixed number of queries. Limits are Mastodon's:
anonymous callers get the 40 nearest ancestors and 60 descendants at most 20 replies deep;
signed-in viewers up to 4,096 of each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import literal, select
from sqlalchemy.orm import aliased

from fedi.extensions import db
from fedi.models import Account, Status
from fedi.services import timelines, visibility

CONTEXT_LIMIT = 4096
ANCESTORS_LIMIT = 40
DESCENDANTS_LIMIT = 60
DESCENDANTS_DEPTH_LIMIT = 20


@dataclass(frozen=True)
class Context:
    ancestors: list[Status]
    descendants: list[Status]


def context(status: Status, viewer: Account | None) -> Context:
    """The thread around `status` (which the viewer may see), each side filtered for them."""
    signed_in = viewer is not None
    ancestor_ids = (
        _ancestor_ids(status, CONTEXT_LIMIT if signed_in else ANCESTORS_LIMIT)
        if status.in_reply_to_id is not None
        else []
    )
    descendant_ids = _descendant_ids(
        status,
        CONTEXT_LIMIT if signed_in else DESCENDANTS_LIMIT,
        None if signed_in else DESCENDANTS_DEPTH_LIMIT,
    )
    shown = {
        s.id: s for s in visibility.permitted(viewer, timelines.load(ancestor_ids + descendant_ids))
    }
    ancestors = [shown[i] for i in ancestor_ids if i in shown]
    descendants = [shown[i] for i in descendant_ids if i in shown]
    # Mastodon brings the author's own thread continuations to the top, order otherwise kept.
    own = [s for s in descendants if s.in_reply_to_account_id == s.account_id]
    rest = [s for s in descendants if s.in_reply_to_account_id != s.account_id]
    return Context(ancestors=ancestors, descendants=own + rest)


def _ancestor_ids(status: Status, limit: int) -> list[int]:
    """Up to `limit` statuses up the reply chain, the nearest kept, oldest first."""
    chain = (
        select(Status.id, Status.in_reply_to_id, literal(1).label("depth"))
        .where(Status.id == status.in_reply_to_id)
        .cte("ancestors", recursive=True)
    )
    parent = aliased(Status)
    chain = chain.union_all(
        select(parent.id, parent.in_reply_to_id, chain.c.depth + 1)
        .join(chain, parent.id == chain.c.in_reply_to_id)
        .where(chain.c.depth < limit)  # also ends a (corrupt) cycle
    )
    ids = db.session.scalars(select(chain.c.id).order_by(chain.c.depth).limit(limit))
    return list(reversed(list(ids)))


def _descendant_ids(status: Status, limit: int, depth: int | None) -> list[int]:
    """Up to `limit` replies below `status`, depth first with siblings oldest first (the order
    of Mastodon's tree path), at most `depth` replies deep when a depth is given."""
    edges = _reply_edges(status.id, depth)
    children: dict[int, list[int]] = defaultdict(list)
    for child, parent in edges:
        children[parent].append(child)
    order: list[int] = []
    seen = {status.id}
    stack = sorted(children[status.id], reverse=True)
    while stack and len(order) < limit:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        stack.extend(sorted(children[current], reverse=True))
    return order


def _reply_edges(root_id: int, depth: int | None) -> list[tuple[int, int]]:
    """(reply, replied-to) pairs of the whole tree below `root_id`, in one recursive query.
    Without a depth bound, UNION (not UNION ALL) ends the recursion even on a cycle."""
    reply = aliased(Status)
    if depth is None:
        tree = (
            select(Status.id, Status.in_reply_to_id)
            .where(Status.in_reply_to_id == root_id)
            .cte("descendants", recursive=True)
        )
        tree = tree.union(
            select(reply.id, reply.in_reply_to_id).join(tree, reply.in_reply_to_id == tree.c.id)
        )
        return [(r.id, r.in_reply_to_id) for r in db.session.execute(select(tree))]
    tree = (
        select(Status.id, Status.in_reply_to_id, literal(1).label("depth"))
        .where(Status.in_reply_to_id == root_id)
        .cte("descendants", recursive=True)
    )
    tree = tree.union_all(
        select(reply.id, reply.in_reply_to_id, tree.c.depth + 1)
        .join(tree, reply.in_reply_to_id == tree.c.id)
        .where(tree.c.depth < depth)
    )
    rows = db.session.execute(select(tree.c.id, tree.c.in_reply_to_id))
    return [(r.id, r.in_reply_to_id) for r in rows]
