"""Filters, as Mastodon's v2 API defines them: a title, the contexts it applies in (home and
lists, notifications, public timelines, threads, profiles), an action (warn: shown behind a
warning; hide: not shown), an optional expiry, and rules: keywords (whole word or not) and
individual statuses. The v1 API's filters are single keywords of these (fedi/api/v1/filters.py).

Every read path asks `page_matches` (through services/status_pages.py) which of a page's statuses
match the viewer's active filters; like Mastodon, the answer does not depend on the context:
the API returns it as `filtered` and clients compare the filter's contexts with where they show
the status; the web UI does the same (fedi/web/context.py). Active filters are kept per process
for a minute and dropped on any committed change to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fedi import db_watch
from fedi.errors import DomainError, NotFound, Unprocessable
from fedi.events import channels
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, Filter, FilterAction, FilterKeyword, FilterStatus, Status
from fedi.models.base import utcnow
from fedi.models.filters import CONTEXTS
from fedi.services import statuses as status_service
from fedi.services.accounts import invalid, merge_invalid, too_long
from fedi.text.sanitize import html_to_text
from fedi.ttl_cache import TTLCache

TITLE_MAX = 256
KEYWORD_MAX = 512
MAX_KEYWORDS = 100  # per filter
MAX_EXPIRES_IN = 10 * 365 * 86400
NOT_FOUND = "Record not found"


# --- reading and writing ------------------------------------------------------------------


def list_filters(account: Account) -> list[Filter]:
    query = (
        select(Filter)
        .where(Filter.account_id == account.id)
        .options(selectinload(Filter.keywords), selectinload(Filter.statuses))
        .order_by(Filter.id)
    )
    return list(db.session.scalars(query))


def get(account: Account, filter_id: int | str) -> Filter:
    found = db.session.get(Filter, _id(filter_id))
    if found is None or found.account_id != account.id:
        raise NotFound(NOT_FOUND)
    return found


def _id(value: int | str) -> int:
    number = parse_id(value)
    if number is None:  # not an id, or past 64 bits (the database driver would refuse it)
        raise NotFound(NOT_FOUND)
    return number


@dataclass(frozen=True)
class KeywordChange:
    """One of `keywords_attributes`: a new keyword (no id), a change, or a removal."""

    keyword: str | None = None
    whole_word: bool | None = None
    id: str | None = None
    destroy: bool = False


def create(
    account: Account, *, title: str, context: Sequence[str], action: str | None = None,
    expires_in: int | None = None, keywords: Iterable[KeywordChange] = (),
) -> Filter:  # fmt: skip
    row = Filter(account_id=account.id, title="", context=[])
    _assign(row, title=title, context=context, action=action or "warn")
    _set_expiry(row, expires_in)
    _change_keywords(row, list(keywords))
    db.session.add(row)
    _commit(account.id)
    return row


_UNSET: Any = object()


def update(
    account: Account, filter_id: int | str, *, title: str | None = None,
    context: Sequence[str] | None = None, action: str | None = None,
    expires_in: int | None = _UNSET, keywords: Iterable[KeywordChange] = (),
) -> Filter:  # fmt: skip
    """Change what is given; `expires_in` None (or empty) removes the expiry."""
    row = get(account, filter_id)
    with _undone_on_error():
        _assign(row, title=title, context=context, action=action)
        if expires_in is not _UNSET:
            _set_expiry(row, expires_in)
        _change_keywords(row, list(keywords))
    _commit(account.id)
    return row


def remove(account: Account, filter_id: int | str) -> None:
    db.session.delete(get(account, filter_id))
    _commit(account.id)


def _assign(row: Filter, *, title: str | None, context: Sequence[str] | None, action: str | None):
    errors = []
    if title is not None:
        title = title.strip()
        if not title:
            errors.append(invalid("title", "ERR_BLANK", "can't be blank"))
        elif len(title) > TITLE_MAX:
            errors.append(too_long("title", TITLE_MAX))
        row.title = title
    if context is not None:
        wanted = [c.strip() for c in context if isinstance(c, str) and c.strip()]
        if not wanted:
            errors.append(invalid("context", "ERR_BLANK", "can't be blank"))
        elif set(wanted) - set(CONTEXTS):
            errors.append(invalid("context", "ERR_INVALID", "contains an invalid context"))
        row.context = list(dict.fromkeys(wanted))
    if action is not None:
        if action not in {a.value for a in FilterAction}:
            errors.append(invalid("filter_action", "ERR_INCLUSION", "is not included in the list"))
        else:
            row.action = FilterAction(action)
    if errors:
        raise merge_invalid(errors)


def _set_expiry(row: Filter, expires_in: int | None) -> None:
    if expires_in is None:
        row.expires_at = None
        return
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        raise invalid("expires_in", "ERR_INVALID", "must be a positive number of seconds")
    row.expires_at = utcnow() + timedelta(seconds=expires_in)


def _validate_keyword(text: str | None) -> str:
    keyword = (text or "").strip()
    if not keyword:
        raise invalid("keywords.keyword", "ERR_BLANK", "can't be blank")
    if len(keyword) > KEYWORD_MAX:
        raise too_long("keywords.keyword", KEYWORD_MAX)
    return keyword


def _change_keywords(row: Filter, changes: list[KeywordChange]) -> None:
    by_id = {str(k.id): k for k in row.keywords}
    for change in changes:
        if change.id is not None:
            existing = by_id.get(str(change.id))
            if existing is None:
                raise NotFound(NOT_FOUND)
            if change.destroy:
                row.keywords.remove(existing)
                continue
            if change.keyword is not None:
                existing.keyword = _validate_keyword(change.keyword)
            if change.whole_word is not None:
                existing.whole_word = change.whole_word
        elif not change.destroy and (change.keyword or "").strip():
            row.keywords.append(
                FilterKeyword(
                    keyword=_validate_keyword(change.keyword),
                    whole_word=True if change.whole_word is None else change.whole_word,
                )
            )
    if len(row.keywords) > MAX_KEYWORDS:
        raise invalid("keywords", "ERR_TOO_LONG", f"are too many (at most {MAX_KEYWORDS})")


@contextmanager
def _undone_on_error() -> Iterator[None]:
    """A refused change leaves nothing behind in the session."""
    try:
        yield
    except DomainError:
        db.session.rollback()
        raise


def _commit(account_id: int) -> None:
    db.session.commit()
    channels.publish_filters_changed(account_id)


# --- keywords and statuses one by one ------------------------------------------------------


def get_keyword(account: Account, keyword_id: int | str) -> FilterKeyword:
    found = db.session.get(FilterKeyword, _id(keyword_id))
    if found is None or found.filter.account_id != account.id:
        raise NotFound(NOT_FOUND)
    return found


def add_keyword(
    account: Account, filter_id: int | str, keyword: str | None, whole_word: bool | None
) -> FilterKeyword:
    row = get(account, filter_id)
    _change_keywords(
        row, [KeywordChange(keyword=_validate_keyword(keyword), whole_word=whole_word)]
    )
    _commit(account.id)
    return row.keywords[-1]


def update_keyword(
    account: Account, keyword_id: int | str, keyword: str | None, whole_word: bool | None
) -> FilterKeyword:
    row = get_keyword(account, keyword_id)
    if keyword is not None:
        row.keyword = _validate_keyword(keyword)  # before any change
    if whole_word is not None:
        row.whole_word = whole_word
    _commit(account.id)
    return row


def remove_keyword(account: Account, keyword_id: int | str) -> None:
    db.session.delete(get_keyword(account, keyword_id))
    _commit(account.id)


def get_status(account: Account, filter_status_id: int | str) -> FilterStatus:
    found = db.session.get(FilterStatus, _id(filter_status_id))
    if found is None or found.filter.account_id != account.id:
        raise NotFound(NOT_FOUND)
    return found


def add_status(account: Account, filter_id: int | str, status_id: int | str) -> FilterStatus:
    """Filter one status the account may see (a boost counts as the status it boosts)."""
    row = get(account, filter_id)
    if status_id in (None, ""):
        raise invalid("status_id", "ERR_BLANK", "can't be blank")
    target: Status = status_service.get_visible(status_id, account)
    target = target.reblog or target
    if any(s.status_id == target.id for s in row.statuses):
        raise invalid("status_id", "ERR_TAKEN", "has already been taken")
    added = FilterStatus(status_id=target.id)
    row.statuses.append(added)
    _commit(account.id)
    return added


def remove_status(account: Account, filter_status_id: int | str) -> None:
    db.session.delete(get_status(account, filter_status_id))
    _commit(account.id)


# --- the v1 API: one keyword per filter ------------------------------------------------------


def list_v1(account: Account) -> list[FilterKeyword]:
    query = (
        select(FilterKeyword)
        .join(Filter)
        .where(Filter.account_id == account.id)
        .options(selectinload(FilterKeyword.filter))
        .order_by(FilterKeyword.id)
    )
    return list(db.session.scalars(query))


def create_v1(
    account: Account, *, phrase: str | None, context: Sequence[str], irreversible: bool,
    whole_word: bool, expires_in: int | None,
) -> FilterKeyword:  # fmt: skip
    """A filter titled after its one keyword (Mastodon's mapping of v1 onto v2)."""
    keyword = _validate_keyword(phrase)
    row = create(
        account, title=keyword, context=context, action="hide" if irreversible else "warn",
        expires_in=expires_in, keywords=[KeywordChange(keyword=keyword, whole_word=whole_word)],
    )  # fmt: skip
    return row.keywords[0]


def update_v1(
    account: Account, keyword_id: int | str, *, phrase: str | None,
    context: Sequence[str] | None, irreversible: bool | None, whole_word: bool | None,
    expires_in: int | None = _UNSET,
) -> FilterKeyword:  # fmt: skip
    keyword = get_keyword(account, keyword_id)
    row = keyword.filter
    action = None if irreversible is None else ("hide" if irreversible else "warn")
    changes_filter = context is not None or action is not None or expires_in is not _UNSET
    if changes_filter and len(row.keywords) > 1:
        raise Unprocessable(
            "Validation failed: This filter has several keywords: edit it with the v2 API"
        )
    with _undone_on_error():
        if phrase is not None:
            keyword.keyword = _validate_keyword(phrase)
        if whole_word is not None:
            keyword.whole_word = whole_word
        _assign(row, title=None, context=context, action=action)
        if expires_in is not _UNSET:
            _set_expiry(row, expires_in)
    _commit(account.id)
    return keyword


# --- matching ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterInfo:
    """What a match shows of its filter (a plain copy, safe to keep across requests)."""

    id: int
    title: str
    context: tuple[str, ...]
    action: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ActiveFilter:
    info: FilterInfo
    keywords: re.Pattern[str] | None
    status_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class FilterMatch:
    """One filter a status matched: the keyword text found, or the filtered status ids."""

    filter: FilterInfo
    keyword_matches: list[str] | None
    status_matches: list[str] | None


_WORD = re.compile(r"\w")


def keyword_pattern(keyword: str, whole_word: bool) -> str:
    """A whole word must not continue a word on either side (only where it starts or ends
    with a word character, so `#tag` or `C++` still match)."""
    escaped = re.escape(keyword)
    if not whole_word:
        return escaped
    start = r"\b" if _WORD.match(keyword[0]) else ""
    end = r"\b" if _WORD.match(keyword[-1]) else ""
    return f"{start}{escaped}{end}"


_cache: TTLCache[int, tuple[ActiveFilter, ...]] = TTLCache(60.0)
db_watch.after_commit_of(
    lambda sql: re.search(r"\bfilter(s|_keywords|_statuses)\b", sql, re.I) is not None,
    _cache.clear,
)


def active(account_id: int) -> tuple[ActiveFilter, ...]:
    """The account's filters that have not expired, compiled (kept for a minute)."""
    found = _cache.get(account_id)
    if found is None:
        found = _cache.put(account_id, _load_active(account_id))
    now = utcnow()
    return tuple(f for f in found if f.info.expires_at is None or f.info.expires_at > now)


def _load_active(account_id: int) -> tuple[ActiveFilter, ...]:
    query = (
        select(Filter)
        .where(Filter.account_id == account_id)
        .where((Filter.expires_at.is_(None)) | (Filter.expires_at > utcnow()))
        .options(selectinload(Filter.keywords), selectinload(Filter.statuses))
        .order_by(Filter.id)
    )
    result = []
    for row in db.session.scalars(query):
        patterns = [keyword_pattern(k.keyword, k.whole_word) for k in row.keywords if k.keyword]
        if not patterns and not row.statuses:
            continue
        info = FilterInfo(row.id, row.title, tuple(row.context or ()), row.action.value,
                          row.expires_at)  # fmt: skip
        regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None
        result.append(ActiveFilter(info, regex, frozenset(s.status_id for s in row.statuses)))
    return tuple(result)


def searchable_text(row: Status, media_descriptions: Iterable[str | None] = ()) -> str:
    """What keywords are looked for in: the content warning, the text, media descriptions."""
    parts = [row.spoiler_text or "", html_to_text(row.content or "")]
    parts += [d for d in media_descriptions if d]
    return "\n\n".join(p for p in parts if p)


def matches(
    filters: Sequence[ActiveFilter],
    row: Status,
    media_descriptions: Iterable[str | None] = (),
    *,
    texts: dict[int, str] | None = None,
) -> list[FilterMatch]:
    """The filters `row` matches (a boost: by the boosted status's text, and by either id).
    `texts`: searchable texts by status id, filled as needed and shared across a page (a boost
    and the status it boosts have the same)."""
    if not filters:
        return []
    proper = row.reblog or row
    texts = {} if texts is None else texts
    found = []
    for f in filters:
        keyword_matches = status_matches = None
        if f.keywords is not None:
            if proper.id not in texts:
                texts[proper.id] = searchable_text(proper, media_descriptions)
            hit = f.keywords.search(texts[proper.id])
            if hit:
                keyword_matches = [hit.group(0)]
        if f.status_ids:
            ids = [i for i in (row.id, row.reblog_of_id) if i is not None and i in f.status_ids]
            status_matches = [str(i) for i in ids] or None
        if keyword_matches or status_matches:
            found.append(FilterMatch(f.info, keyword_matches, status_matches))
    return found


def hidden_in(found: Sequence[FilterMatch], context: str) -> bool:
    """Whether a status with these matches is not shown at all in `context`."""
    return any(m.filter.action == "hide" and context in m.filter.context for m in found)


def warnings_in(found: Sequence[FilterMatch], context: str) -> list[FilterMatch]:
    """The matches that put a status behind a warning in `context`."""
    return [m for m in found if m.filter.action == "warn" and context in m.filter.context]
