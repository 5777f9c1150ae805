"""saved derived indexes (the similar-accounts feature index), so a new process loads instead of rebuilding

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_indexes",
        sa.Column("name", sa.String(length=50), primary_key=True),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("saved_indexes")
