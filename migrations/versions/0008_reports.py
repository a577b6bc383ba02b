"""Reports (from the client API and from inbound Flags), and admin.report notifications that
point at them

Revision ID: reports_1
Revises: push_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "reports_1"
down_revision = "push_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
CATEGORY = sa.Enum(
    "spam", "legal", "violation", "other", name="reportcategory", native_enum=False, length=16
)


def _account_fk(column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["accounts.id"], name=op.f(f"fk_reports_{column}_accounts"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_ids", JSON, nullable=False),
        sa.Column("rule_ids", JSON, nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("forwarded", sa.Boolean(), nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("action_taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_taken_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("assigned_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("account_id", "CASCADE"),
        _account_fk("action_taken_by_account_id", "SET NULL"),
        _account_fk("assigned_account_id", "SET NULL"),
        _account_fk("target_account_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reports_target_account_id"), ["target_account_id"], unique=False
        )
        batch_op.create_index(
            "ux_reports_uri_target_account_id", ["uri", "target_account_id"], unique=True
        )
        for column in ("action_taken_by_account_id", "assigned_account_id"):
            batch_op.create_index(batch_op.f(f"ix_reports_{column}"), [column], unique=False)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_report_id"), ["report_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_report_id_reports"), "reports", ["report_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_report_id_reports"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_notifications_report_id"))
        batch_op.drop_column("report_id")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        for column in ("action_taken_by_account_id", "assigned_account_id"):
            batch_op.drop_index(batch_op.f(f"ix_reports_{column}"))
        batch_op.drop_index("ux_reports_uri_target_account_id")
        batch_op.drop_index(batch_op.f("ix_reports_target_account_id"))
        batch_op.drop_index(batch_op.f("ix_reports_account_id"))

    op.drop_table("reports")
