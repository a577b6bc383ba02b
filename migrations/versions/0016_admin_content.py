"""What the admins write and decide: announcements (their source text, and a time to publish
them), trends reviewed (tags and statuses approved or rejected), and the site settings that
override the environment at run time

Revision ID: admin_content_1
Revises: audit_log_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "admin_content_1"
down_revision = "audit_log_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("announcements") as batch:
        batch.add_column(sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("source", sa.Text(), nullable=False, server_default=""))
        batch.create_index("ix_announcements_scheduled_at", ["scheduled_at"])
    with op.batch_alter_table("tags") as batch:
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("statuses") as batch:
        batch.add_column(sa.Column("trendable", sa.Boolean(), nullable=True))
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", JSON, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_settings")),
    )


def downgrade() -> None:
    op.drop_table("site_settings")
    with op.batch_alter_table("statuses") as batch:
        batch.drop_column("trendable")
    with op.batch_alter_table("tags") as batch:
        batch.drop_column("reviewed_at")
    with op.batch_alter_table("announcements") as batch:
        batch.drop_index("ix_announcements_scheduled_at")
        batch.drop_column("source")
        batch.drop_column("scheduled_at")
