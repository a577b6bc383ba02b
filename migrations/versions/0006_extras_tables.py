"""Account conversations, tag follows, suggestion dismissals, custom emoji, announcements,
instance rules; search indexes on PostgreSQL

Revision ID: extras_1
Revises: notifications_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "extras_1"
down_revision = "notifications_1"
branch_labels = None
depends_on = None

# PostgreSQL only: full-text search over statuses, prefix search over usernames and hashtags
# (`text_pattern_ops` lets LIKE 'abc%' use the index whatever the database collation).
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

POSTGRES_INDEXES = [
    "CREATE INDEX ix_statuses_search_fts ON statuses USING gin "
    "(to_tsvector('simple', spoiler_text || ' ' || content)) "
    "WHERE deleted_at IS NULL AND reblog_of_id IS NULL",
    "CREATE INDEX ix_accounts_username_prefix ON accounts (lower(username) text_pattern_ops)",
    "CREATE INDEX ix_tags_name_prefix ON tags (lower(name) text_pattern_ops)",
]


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete,
    )  # fmt: skip


def _account(table: str) -> list:
    return [
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        _fk(table, "account_id", "accounts"),
    ]


def _stamps(*names: str) -> list:
    return [sa.Column(n, sa.DateTime(timezone=True), nullable=False) for n in names]


def _pk(table: str):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _unique(table: str, *columns: str):
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def _conversations() -> None:
    t = "account_conversations"
    op.create_table(
        t, _id(), *_account(t),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("participants_key", sa.String(length=64), nullable=False),
        sa.Column("participant_account_ids", JSON, nullable=False),
        sa.Column("status_ids", JSON, nullable=False),
        sa.Column("last_status_id", sa.BigInteger(), nullable=True),
        sa.Column("unread", sa.Boolean(), nullable=False),
        _fk(t, "conversation_id", "conversations"),
        _fk(t, "last_status_id", "statuses", "SET NULL"),
        _pk(t), _unique(t, "account_id", "conversation_id", "participants_key"),
    )  # fmt: skip
    _index(t, "conversation_id")
    _index(t, "last_status_id")
    _index(t, "account_id", "last_status_id",
           name="ix_account_conversations_account_id_last_status_id")  # fmt: skip


def _follows_and_dismissals() -> None:
    t = "tag_follows"
    op.create_table(
        t, _id(), *_account(t),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        *_stamps("created_at"),
        _fk(t, "tag_id", "tags"), _pk(t), _unique(t, "account_id", "tag_id"),
    )  # fmt: skip
    _index(t, "tag_id")
    _index(t, "account_id", "id", name="ix_tag_follows_account_id_id")
    t = "suggestion_dismissals"
    op.create_table(
        t, _id(), *_account(t),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        *_stamps("created_at"),
        _fk(t, "target_account_id", "accounts"), _pk(t),
        _unique(t, "account_id", "target_account_id"),
    )  # fmt: skip
    _index(t, "target_account_id")


def _emojis() -> None:
    t = "custom_emojis"
    op.create_table(
        t, _id(),
        sa.Column("shortcode", sa.String(length=128), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("image_file", sa.String(length=512), nullable=True),
        sa.Column("static_file", sa.String(length=512), nullable=True),
        sa.Column("image_remote_url", sa.String(length=2048), nullable=True),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("visible_in_picker", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        *_stamps("created_at", "updated_at"), _pk(t),
    )  # fmt: skip
    op.create_index(
        "ux_custom_emojis_shortcode_domain", t,
        [sa.text("shortcode"), sa.text("coalesce(domain, '')")], unique=True,
    )  # fmt: skip


def _announcements() -> None:
    t = "announcements"
    op.create_table(
        t, _id(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps("created_at", "updated_at"), _pk(t),
    )  # fmt: skip
    _index(t, "published")
    t = "announcement_dismissals"
    op.create_table(
        t, _id(), *_account(t),
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        *_stamps("created_at"),
        _fk(t, "announcement_id", "announcements"), _pk(t),
        _unique(t, "account_id", "announcement_id"),
    )  # fmt: skip
    _index(t, "announcement_id")
    t = "announcement_reactions"
    op.create_table(
        t, _id(), *_account(t),
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("custom_emoji_id", sa.BigInteger(), nullable=True),
        *_stamps("created_at"),
        _fk(t, "announcement_id", "announcements"), _fk(t, "custom_emoji_id", "custom_emojis"),
        _pk(t), _unique(t, "account_id", "announcement_id", "name"),
    )  # fmt: skip
    _index(t, "announcement_id")
    _index(t, "custom_emoji_id")


def _rules() -> None:
    t = "instance_rules"
    op.create_table(
        t, _id(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        *_stamps("created_at", "updated_at"), _pk(t),
    )  # fmt: skip
    _index(t, "priority")


def upgrade():
    _conversations()
    _follows_and_dismissals()
    _emojis()
    _announcements()
    _rules()
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_INDEXES:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in (
            "ix_statuses_search_fts",
            "ix_accounts_username_prefix",
            "ix_tags_name_prefix",
        ):
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for table in (
        "instance_rules", "announcement_reactions", "announcement_dismissals", "announcements",
        "custom_emojis", "suggestion_dismissals", "tag_follows", "account_conversations",
    ):  # fmt: skip
        op.drop_table(table)
