"""Notifications: index on (account_id, group_key, id) for grouped notifications

Revision ID: notifications_1
Revises: statuses_1
"""

from alembic import op

revision = "notifications_1"
down_revision = "statuses_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_notifications_account_id_group_key_id",
        "notifications",
        ["account_id", "group_key", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_account_id_group_key_id", table_name="notifications")
