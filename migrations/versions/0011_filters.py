"""Filters (Mastodon's custom filters) with their keywords and statuses

Revision ID: filters_1
Revises: two_factor_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "filters_1"
down_revision = "two_factor_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ACTION = sa.Enum("warn", "hide", name="filteraction", native_enum=False, length=8)


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "filters",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("context", JSON, nullable=False),
        sa.Column("action", ACTION, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("filters", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filters")),
    )
    op.create_index(op.f("ix_filters_account_id"), "filters", ["account_id"])
    op.create_table(
        "filter_keywords",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("filter_id", sa.BigInteger(), nullable=False),
        sa.Column("keyword", sa.String(length=512), nullable=False),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("filter_keywords", "filter_id", "filters"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_keywords")),
    )
    op.create_index(op.f("ix_filter_keywords_filter_id"), "filter_keywords", ["filter_id"])
    op.create_table(
        "filter_statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("filter_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("filter_statuses", "filter_id", "filters"),
        _fk("filter_statuses", "status_id", "statuses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_statuses")),
        sa.UniqueConstraint(
            "filter_id", "status_id", name=op.f("uq_filter_statuses_filter_id_status_id")
        ),
    )
    op.create_index(op.f("ix_filter_statuses_status_id"), "filter_statuses", ["status_id"])


def downgrade() -> None:
    op.drop_table("filter_statuses")
    op.drop_table("filter_keywords")
    op.drop_table("filters")
