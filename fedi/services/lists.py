"""Lists: named groups of followed accounts, each with its own timeline.

A list timeline is read on demand from its members' statuses rather than fanned out into a
list-feed table: membership and `replies_policy` changes apply at once (and to older posts) with
no backfill or cleanup, and nothing is written per status. Members are few, so the read is one
query over `statuses (account_id, id)` for that small set of authors, with the same visibility,
reply, block, mute and domain-block rules as the home feed.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, false, func, or_, select
from sqlalchemy.orm import aliased

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import new_id, parse_id
from fedi.models import (
    Account,
    AccountDomainBlock,
    Follow,
    FollowRequest,
    List,
    ListAccount,
    Mention,
    RepliesPolicy,
    Status,
    Visibility,
)
from fedi.services import relations, timelines
from fedi.services.pagination import PageParams

MAX_LISTS = 50
TITLE_MAX = 255


def _validation(message: str) -> Unprocessable:
    return Unprocessable(f"Validation failed: {message}")


def get_owned(list_id, owner: Account) -> List:
    """The owner's list, or NotFound (someone else's list does not exist for you)."""
    row = db.session.get(List, parse_id(list_id)) if parse_id(list_id) is not None else None
    if row is None or row.account_id != owner.id:
        raise NotFound("Record not found")
    return row


def owned(owner: Account) -> list[List]:
    return list(
        db.session.scalars(select(List).where(List.account_id == owner.id).order_by(List.id))
    )


def _policy(value: str | None, default: RepliesPolicy | None) -> RepliesPolicy | None:
    if value in (None, ""):
        return default
    try:
        return RepliesPolicy(value)
    except ValueError:
        raise Unprocessable(f"'{value}' is not a valid replies_policy") from None


def _title(value: str | None) -> str:
    title = (value or "").strip()
    if not title:
        raise _validation("Title can't be blank")
    if len(title) > TITLE_MAX:
        raise _validation(f"Title is too long (maximum is {TITLE_MAX} characters)")
    return title


def create_list(
    *, owner: Account, title: str | None, replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:  # fmt: skip
    title = _title(title)
    policy = _policy(replies_policy, RepliesPolicy.LIST)
    count = db.session.scalar(select(func.count(List.id)).where(List.account_id == owner.id))
    if (count or 0) >= MAX_LISTS:
        raise _validation("You have reached the maximum number of lists")
    row = List(id=new_id(), account_id=owner.id, title=title, replies_policy=policy)
    row.exclusive = bool(exclusive)
    db.session.add(row)
    db.session.commit()
    return row


def update_list(
    *, list_: List, title: str | None = None, replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:  # fmt: skip
    """Change what is given; a title, when given, may not be blank."""
    if title is not None:
        list_.title = _title(title)
    list_.replies_policy = _policy(replies_policy, list_.replies_policy)
    if exclusive is not None:
        list_.exclusive = exclusive
    db.session.commit()
    return list_


def delete_list(*, list_: List) -> None:
    db.session.delete(list_)
    db.session.commit()


def members(list_: List, page: PageParams | None) -> list[Account]:
    """Members newest account id first (Mastodon pages them by account id); all when no page."""
    query = (
        select(Account)
        .join(ListAccount, ListAccount.account_id == Account.id)
        .where(ListAccount.list_id == list_.id, Account.suspended_at.is_(None))
    )
    if page is None:
        return list(db.session.scalars(query.order_by(Account.id.desc())))
    return page.finish(list(db.session.scalars(page.apply(query, Account.id))))


def add_members(*, list_: List, account_ids: list) -> None:
    """Add accounts the owner follows or asked to follow (or the owner); all or nothing."""
    ids = list(dict.fromkeys(parse_id(i) for i in account_ids))
    if not ids or None in ids:
        raise NotFound("Record not found")
    found = set(db.session.scalars(select(Account.id).where(Account.id.in_(ids))))
    owner = list_.account_id
    followed = set(
        db.session.scalars(
            select(Follow.target_account_id).where(
                Follow.account_id == owner, Follow.target_account_id.in_(ids)
            )
        )
    ) | set(
        db.session.scalars(
            select(FollowRequest.target_account_id).where(
                FollowRequest.account_id == owner, FollowRequest.target_account_id.in_(ids)
            )
        )
    )
    if any(i not in found or (i not in followed and i != owner) for i in ids):
        raise NotFound("Record not found")
    present = db.session.scalar(
        select(ListAccount.account_id).where(
            ListAccount.list_id == list_.id, ListAccount.account_id.in_(ids)
        )
    )
    if present is not None:
        raise _validation("Account has already been taken")
    db.session.add_all(ListAccount(list_id=list_.id, account_id=i) for i in ids)
    db.session.commit()


def remove_members(*, list_: List, account_ids: list) -> None:
    ids = [i for i in (parse_id(v) for v in account_ids) if i is not None]
    if ids:
        db.session.execute(
            delete(ListAccount).where(
                ListAccount.list_id == list_.id, ListAccount.account_id.in_(ids)
            )
        )
    db.session.commit()


def lists_with(owner: Account, account_id) -> list[List]:
    """The owner's lists that contain the account (NotFound for an unknown account)."""
    account = (
        db.session.get(Account, parse_id(account_id)) if parse_id(account_id) is not None else None
    )
    if account is None:
        raise NotFound("Record not found")
    return list(
        db.session.scalars(
            select(List)
            .join(ListAccount, ListAccount.list_id == List.id)
            .where(List.account_id == owner.id, ListAccount.account_id == account.id)
            .order_by(List.id)
        )
    )


def _authors(list_: List) -> tuple[list[int], list[int]]:
    """Members whose posts the list shows: followed (or the owner), not suspended, not hidden by
    a block, mute or domain block. Also which of them have their boosts shown."""
    owner = list_.account_id
    follow = aliased(Follow)
    blocked_domains = select(AccountDomainBlock.domain).where(
        AccountDomainBlock.account_id == owner
    )
    rows = db.session.execute(
        select(ListAccount.account_id, follow.show_reblogs)
        .join(Account, Account.id == ListAccount.account_id)
        .outerjoin(
            follow,
            and_(follow.account_id == owner, follow.target_account_id == ListAccount.account_id),
        )
        .where(
            ListAccount.list_id == list_.id,
            Account.suspended_at.is_(None),
            or_(follow.id.is_not(None), ListAccount.account_id == owner),
            ListAccount.account_id.not_in(relations.hidden_authors(owner)),
            or_(Account.domain.is_(None), Account.domain.not_in(blocked_domains)),
        )
    ).all()
    authors = [r[0] for r in rows]
    boosting = [r[0] for r in rows if r[1] is not False]
    return authors, boosting


def _reply_rule(list_: List, authors: list[int]):
    """Replies to oneself or the owner always show; others as `replies_policy` says."""
    target = Status.in_reply_to_account_id
    owner = list_.account_id
    allowed = [target.is_(None), target == Status.account_id, target == owner]
    if list_.replies_policy == RepliesPolicy.FOLLOWED:
        allowed.append(
            target.in_(select(Follow.target_account_id).where(Follow.account_id == owner))
        )
    elif list_.replies_policy == RepliesPolicy.LIST:
        allowed.append(target.in_(authors))
    return or_(*allowed)


def _criteria(list_: List) -> list:
    """Where-clauses selecting the statuses of a list timeline (empty list: nothing to show)."""
    authors, boosting = _authors(list_)
    if not authors:
        return []
    owner = list_.account_id
    original = aliased(Status)
    mentioned = select(Mention.status_id).where(Mention.account_id == owner)
    return [
        Status.account_id.in_(authors),
        Status.deleted_at.is_(None),
        or_(
            Status.visibility != Visibility.DIRECT,
            Status.account_id == owner,
            Status.id.in_(mentioned),
        ),
        _reply_rule(list_, authors),
        or_(
            Status.reblog_of_id.is_(None),
            and_(
                Status.account_id.in_(boosting) if boosting else false(),
                Status.reblog_of_id.in_(
                    select(original.id).where(
                        original.account_id.not_in(relations.hidden_authors(owner))
                    )
                ),
            ),
        ),
    ]


def timeline(list_: List, page: PageParams) -> list[Status]:
    criteria = _criteria(list_)
    if not criteria:
        return []
    query = select(Status.id).where(*criteria)
    return timelines.load(page.finish(list(db.session.scalars(page.apply(query, Status.id)))))


def list_ids_for_status(status: Status) -> list[int]:
    """Lists whose timeline shows this status (for live `timeline:list:<id>` updates)."""
    candidates = db.session.scalars(
        select(List)
        .join(ListAccount, ListAccount.list_id == List.id)
        .join(Account, Account.id == List.account_id)
        .where(ListAccount.account_id == status.account_id, Account.domain.is_(None))
    )
    shown = []
    for list_ in candidates:
        criteria = _criteria(list_)
        if criteria and db.session.scalar(
            select(Status.id).where(Status.id == status.id, *criteria)
        ):
            shown.append(list_.id)
    return shown


def exclusive_owners(author_id: int, candidates: set[int]) -> set[int]:
    """Which of `candidates` keep `author_id` in an exclusive list, so out of their home feed."""
    if not candidates:
        return set()
    owners = set(
        db.session.scalars(
            select(List.account_id)
            .join(ListAccount, ListAccount.list_id == List.id)
            .where(ListAccount.account_id == author_id, List.exclusive.is_(True))
        )
    )
    owners.discard(author_id)
    return owners & candidates
