"""Uploads processed in workers: the file as uploaded, and a custom thumbnail, wait under
server-generated names until a worker has processed them

Revision ID: media_processing_1
Revises: preview_cards_1
"""

import sqlalchemy as sa
from alembic import op

revision = "media_processing_1"
down_revision = "preview_cards_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch:
        batch.add_column(sa.Column("upload_path", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("thumbnail_upload_path", sa.String(length=512), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch:
        batch.drop_column("thumbnail_upload_path")
        batch.drop_column("upload_path")
