"""Account notes, endorsements (account pins) and featured tags

Revision ID: accounts_1
Revises: oauth_1
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_1"
down_revision = "oauth_1"
branch_labels = None
depends_on = None


def _pair_columns(table: str) -> list:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f(f"fk_{table}_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"], ["accounts.id"],
            name=op.f(f"fk_{table}_target_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint(
            "account_id", "target_account_id",
            name=op.f(f"uq_{table}_account_id_target_account_id"),
        ),
    ]  # fmt: skip


def upgrade():
    op.create_table(
        "account_notes",
        *_pair_columns("account_notes"),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        op.f("ix_account_notes_target_account_id"), "account_notes", ["target_account_id"]
    )
    op.create_table(
        "account_pins",
        *_pair_columns("account_pins"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        op.f("ix_account_pins_target_account_id"), "account_pins", ["target_account_id"]
    )
    op.create_table(
        "featured_tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_featured_tags_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_featured_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_featured_tags")),
        sa.UniqueConstraint(
            "account_id", "tag_id", name=op.f("uq_featured_tags_account_id_tag_id")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_featured_tags_tag_id"), "featured_tags", ["tag_id"])


def downgrade():
    op.drop_index(op.f("ix_featured_tags_tag_id"), table_name="featured_tags")
    op.drop_table("featured_tags")
    op.drop_index(op.f("ix_account_pins_target_account_id"), table_name="account_pins")
    op.drop_table("account_pins")
    op.drop_index(op.f("ix_account_notes_target_account_id"), table_name="account_notes")
    op.drop_table("account_notes")
