"""Search indexes, PostgreSQL only (SQLite searches with LIKE); see the extras_1 migration.

SEARCH_DOCUMENT is what status search matches, written the way PostgreSQL reflects it.
"""

from __future__ import annotations

from sqlalchemy import Index, func, literal_column, text
from sqlalchemy.sql.expression import Grouping

from fedi.models.accounts import Account
from fedi.models.statuses import Status
from fedi.models.tags import Tag

SEARCH_DOCUMENT = func.to_tsvector(
    text("'simple'::regconfig"),
    Grouping(Status.spoiler_text.op("||")(literal_column("' '"))).op("||")(Status.content),
)
Index(
    "ix_statuses_search_fts",
    SEARCH_DOCUMENT,
    postgresql_using="gin",
    postgresql_where=text("deleted_at IS NULL AND reblog_of_id IS NULL"),
).ddl_if(dialect="postgresql")
Index(
    "ix_accounts_username_prefix",
    func.lower(Account.username).label("lower_username"),
    postgresql_ops={"lower_username": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_tags_name_prefix",
    func.lower(Tag.name).label("lower_name"),
    postgresql_ops={"lower_name": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
