"""Users: the application an account signed up through (the API's sign-up), which alone may ask
for its confirmation e-mail again

Revision ID: users_app_1
Revises: scheduled_1
"""

import sqlalchemy as sa
from alembic import op

revision = "users_app_1"
down_revision = "scheduled_1"
branch_labels = None
depends_on = None

FK = "fk_users_created_by_application_id_oauth_applications"
INDEX = "ix_users_created_by_application_id"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("created_by_application_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            FK, "oauth_applications", ["created_by_application_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(INDEX, ["created_by_application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index(INDEX)
        batch.drop_constraint(FK, type_="foreignkey")
        batch.drop_column("created_by_application_id")
