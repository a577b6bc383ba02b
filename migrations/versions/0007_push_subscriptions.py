"""Web Push subscriptions

Revision ID: push_1
Revises: extras_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "push_1"
down_revision = "extras_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("p256dh", sa.String(length=255), nullable=False),
        sa.Column("auth", sa.String(length=255), nullable=False),
        sa.Column("alerts", JSON, nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_push_subscriptions_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["oauth_tokens.id"],
            name=op.f("fk_push_subscriptions_token_id_oauth_tokens"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("token_id", name=op.f("uq_push_subscriptions_token_id")),
    )
    op.create_index(
        op.f("ix_push_subscriptions_account_id"), "push_subscriptions", ["account_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_push_subscriptions_account_id"), table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
