"""The audit log of moderator and admin actions

Revision ID: audit_log_1
Revises: users_app_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "audit_log_1"
down_revision = "users_app_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_log_entries",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("target_label", sa.String(length=512), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_audit_log_entries_account_id_accounts"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_entries")),
    )  # fmt: skip
    op.create_index(op.f("ix_audit_log_entries_account_id"), "audit_log_entries", ["account_id"])
    op.create_index("ix_audit_log_entries_action", "audit_log_entries", ["action"])
    op.create_index(
        "ix_audit_log_entries_target", "audit_log_entries", ["target_type", "target_id"]
    )


def downgrade() -> None:
    op.drop_table("audit_log_entries")
