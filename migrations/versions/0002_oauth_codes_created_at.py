"""OAuth: index authorization codes by creation time (expired codes are pruned by age)

Revision ID: oauth_1
Revises: 7e40001651e6
"""

from alembic import op

revision = "oauth_1"
down_revision = "7e40001651e6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("oauth_authorization_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_authorization_codes_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("oauth_authorization_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_authorization_codes_created_at"))
