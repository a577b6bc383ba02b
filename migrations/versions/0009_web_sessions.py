"""Signed-in browsers (web_sessions), and the browser session a web UI push subscription
belongs to

Revision ID: web_sessions_1
Revises: reports_1
"""

import sqlalchemy as sa
from alembic import op

revision = "web_sessions_1"
down_revision = "reports_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("secret_digest", name=op.f("uq_web_sessions_secret_digest")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_web_sessions_last_used_at"), ["last_used_at"], unique=False
        )

    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("web_session_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_push_subscriptions_web_session_id"), ["web_session_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_push_subscriptions_web_session_id_web_sessions"), "web_sessions",
            ["web_session_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_push_subscriptions_web_session_id_web_sessions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_web_session_id"))
        batch_op.drop_column("web_session_id")

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_last_used_at"))
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
