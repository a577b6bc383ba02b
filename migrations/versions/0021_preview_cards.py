"""Preview cards: one row per fetched link (Mastodon's preview_cards) and the card each status
shows (preview_cards_statuses)

Revision ID: preview_cards_1
Revises: account_moderation_1
"""

import sqlalchemy as sa
from alembic import op

revision = "preview_cards_1"
down_revision = "account_moderation_1"
branch_labels = None
depends_on = None

CARD_TYPES = ("link", "photo", "video", "rich")


def upgrade() -> None:
    op.create_table(
        "preview_cards",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(*CARD_TYPES, name="cardtype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("author_url", sa.Text(), nullable=False),
        sa.Column("provider_name", sa.Text(), nullable=False),
        sa.Column("provider_url", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("image_path", sa.String(length=512), nullable=True),
        sa.Column("image_remote_url", sa.Text(), nullable=True),
        sa.Column("image_description", sa.Text(), nullable=False),
        sa.Column("blurhash", sa.String(length=255), nullable=True),
        sa.Column("embed_url", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trendable", sa.Boolean(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preview_cards")),
        sa.UniqueConstraint("url", name=op.f("uq_preview_cards_url")),
    )
    op.create_table(
        "preview_cards_statuses",
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("preview_card_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["preview_card_id"],
            ["preview_cards.id"],
            name=op.f("fk_preview_cards_statuses_preview_card_id_preview_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_preview_cards_statuses_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_id", name=op.f("pk_preview_cards_statuses")),
    )
    op.create_index(
        "ix_preview_cards_statuses_card_status",
        "preview_cards_statuses",
        ["preview_card_id", "status_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_preview_cards_statuses_card_status", table_name="preview_cards_statuses")
    op.drop_table("preview_cards_statuses")
    op.drop_table("preview_cards")
