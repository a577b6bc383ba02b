"""Two-factor sign-in: the users' TOTP secret, when it was turned on, the last accepted time
step and the hashes of their recovery codes

Revision ID: two_factor_1
Revises: web_sessions_1
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "two_factor_1"
down_revision = "web_sessions_1"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("otp_secret", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("otp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("otp_last_timestep", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("otp_recovery_codes", JSON, nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("otp_recovery_codes")
        batch.drop_column("otp_last_timestep")
        batch.drop_column("otp_enabled_at")
        batch.drop_column("otp_secret")
