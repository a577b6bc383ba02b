"""Moderating accounts: media marked sensitive, the 30-day retention of suspended accounts,
warnings sent to accounts, moderator notes, the sign-up address

Revision ID: account_moderation_1
Revises: domain_moderation_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "account_moderation_1"
down_revision = "domain_moderation_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("sensitized_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("purge_after", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_accounts_purge_after", "accounts", ["purge_after"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sign_up_ip", sa.String(length=64), nullable=True))
    op.create_index("ix_users_sign_up_ip", "users", ["sign_up_ip"])
    op.create_table(
        "account_warnings",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status_ids", JSON, nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_account_warnings_account_id_accounts"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"], ["accounts.id"],
            name=op.f("fk_account_warnings_target_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"],
            name=op.f("fk_account_warnings_report_id_reports"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_warnings")),
    )  # fmt: skip
    op.create_index(
        "ix_account_warnings_target_account_id_id", "account_warnings", ["target_account_id", "id"]
    )
    op.create_index(op.f("ix_account_warnings_account_id"), "account_warnings", ["account_id"])
    op.create_index(op.f("ix_account_warnings_report_id"), "account_warnings", ["report_id"])
    op.create_table(
        "account_moderation_notes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_account_moderation_notes_account_id_accounts"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"], ["accounts.id"],
            name=op.f("fk_account_moderation_notes_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_moderation_notes")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_account_moderation_notes_account_id"), "account_moderation_notes", ["account_id"]
    )
    op.create_index(
        op.f("ix_account_moderation_notes_target_account_id"),
        "account_moderation_notes", ["target_account_id"],
    )  # fmt: skip
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("account_warning_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notifications_account_warning_id_account_warnings"),
            "account_warnings", ["account_warning_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
    op.create_index(
        op.f("ix_notifications_account_warning_id"), "notifications", ["account_warning_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_account_warning_id"), "notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(
            op.f("fk_notifications_account_warning_id_account_warnings"), type_="foreignkey"
        )
        batch.drop_column("account_warning_id")
    op.drop_table("account_moderation_notes")
    op.drop_table("account_warnings")
    op.drop_index("ix_users_sign_up_ip", "users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sign_up_ip")
    op.drop_index("ix_accounts_purge_after", "accounts")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("purge_after")
        batch.drop_column("sensitized_at")
