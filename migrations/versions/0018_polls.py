"""Polls and their votes, and the poll options of status revisions

Revision ID: polls_1
Revises: report_moderation_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "polls_1"
down_revision = "report_moderation_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("tallies", JSON, nullable=False),
        sa.Column("votes_count", sa.Integer(), nullable=False),
        sa.Column("voters_count", sa.Integer(), nullable=True),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("hide_totals", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_polls_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"], ["statuses.id"], name=op.f("fk_polls_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
        sa.UniqueConstraint("status_id", name=op.f("uq_polls_status_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_polls_account_id"), "polls", ["account_id"])
    op.create_index("ix_polls_expires_at_pending", "polls", ["expires_at", "ended_notified_at"])
    op.create_table(
        "poll_votes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("poll_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_poll_votes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_votes")),
        sa.UniqueConstraint(
            "poll_id", "account_id", "choice", name=op.f("uq_poll_votes_poll_id_account_id_choice")
        ),
        sa.UniqueConstraint("uri", name=op.f("uq_poll_votes_uri")),
    )  # fmt: skip
    op.create_index(op.f("ix_poll_votes_account_id"), "poll_votes", ["account_id"])
    with op.batch_alter_table("status_edits") as batch:
        batch.add_column(sa.Column("poll_options", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_edits") as batch:
        batch.drop_column("poll_options")
    op.drop_table("poll_votes")
    op.drop_table("polls")
