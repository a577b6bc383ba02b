"""Server-level blocks: domain blocks and allows, e-mail domain, canonical e-mail and IP blocks

Revision ID: domain_moderation_1
Revises: polls_1
"""

import sqlalchemy as sa
from alembic import op

revision = "domain_moderation_1"
down_revision = "polls_1"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "domain_blocks",
        _id(),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("reject_media", sa.Boolean(), nullable=False),
        sa.Column("reject_reports", sa.Boolean(), nullable=False),
        sa.Column("private_comment", sa.Text(), nullable=False),
        sa.Column("public_comment", sa.Text(), nullable=False),
        sa.Column("obfuscate", sa.Boolean(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_blocks")),
        sa.UniqueConstraint("domain", name=op.f("uq_domain_blocks_domain")),
    )
    op.create_table(
        "domain_allows",
        _id(),
        sa.Column("domain", sa.String(length=255), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_allows")),
        sa.UniqueConstraint("domain", name=op.f("uq_domain_allows_domain")),
    )
    op.create_table(
        "email_domain_blocks",
        _id(),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("allow_with_approval", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_domain_blocks")),
        sa.UniqueConstraint("domain", name=op.f("uq_email_domain_blocks_domain")),
    )
    op.create_table(
        "canonical_email_blocks",
        _id(),
        sa.Column("canonical_email_hash", sa.String(length=64), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canonical_email_blocks")),
        sa.UniqueConstraint(
            "canonical_email_hash", name=op.f("uq_canonical_email_blocks_canonical_email_hash")
        ),
    )
    op.create_table(
        "ip_blocks",
        _id(),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _at("expires_at", nullable=True),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ip_blocks")),
        sa.UniqueConstraint("ip", name=op.f("uq_ip_blocks_ip")),
    )


def downgrade() -> None:
    for table in (
        "ip_blocks", "canonical_email_blocks", "email_domain_blocks", "domain_allows",
        "domain_blocks",
    ):  # fmt: skip
        op.drop_table(table)
