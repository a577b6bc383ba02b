"""Report notes: moderators' internal notes on a report

Revision ID: report_moderation_1
Revises: admin_content_1
"""

import sqlalchemy as sa
from alembic import op

revision = "report_moderation_1"
down_revision = "admin_content_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_notes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"],
            name=op.f("fk_report_notes_report_id_reports"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_report_notes_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_notes")),
    )  # fmt: skip
    op.create_index(op.f("ix_report_notes_report_id"), "report_notes", ["report_id"])
    op.create_index(op.f("ix_report_notes_account_id"), "report_notes", ["account_id"])


def downgrade() -> None:
    op.drop_table("report_notes")
