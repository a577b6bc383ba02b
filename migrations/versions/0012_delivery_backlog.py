"""Deliveries in order per inbox: a row's `backlog` flag and the partial index of the backlogs
(rows waiting behind an older one to the same inbox are in state `queued`, a new value of the
string column)

Revision ID: delivery_backlog_1
Revises: filters_1
"""

import sqlalchemy as sa
from alembic import op

revision = "delivery_backlog_1"
down_revision = "filters_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("backlog", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_deliveries_backlog",
            ["inbox_url", "state", "id"],
            unique=False,
            postgresql_where=sa.text("backlog"),
            sqlite_where=sa.text("backlog = 1"),
        )


def downgrade() -> None:
    op.execute("UPDATE deliveries SET state = 'pending' WHERE state = 'queued'")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_backlog")
        batch_op.drop_column("backlog")
