"""Scheduled statuses, and the media reserved for them

Revision ID: scheduled_1
Revises: delivery_backlog_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "scheduled_1"
down_revision = "delivery_backlog_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MEDIA_FK = "fk_media_attachments_scheduled_status_id_scheduled_statuses"


def upgrade() -> None:
    op.create_table(
        "scheduled_statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_scheduled_statuses_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_statuses")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_scheduled_statuses_account_id"), "scheduled_statuses", ["account_id"]
    )
    op.create_index(
        op.f("ix_scheduled_statuses_scheduled_at"), "scheduled_statuses", ["scheduled_at"]
    )
    op.create_index(
        "ix_scheduled_statuses_account_id_idempotency_key",
        "scheduled_statuses",
        ["account_id", "idempotency_key"],
        unique=True,
    )
    with op.batch_alter_table("media_attachments") as batch:
        batch.add_column(sa.Column("scheduled_status_id", sa.BigInteger(), nullable=True))
        batch.create_index(
            batch.f("ix_media_attachments_scheduled_status_id"), ["scheduled_status_id"]
        )
        batch.create_foreign_key(
            batch.f(MEDIA_FK), "scheduled_statuses", ["scheduled_status_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch:
        batch.drop_constraint(batch.f(MEDIA_FK), type_="foreignkey")
        batch.drop_index(batch.f("ix_media_attachments_scheduled_status_id"))
        batch.drop_column("scheduled_status_id")
    op.drop_table("scheduled_statuses")
