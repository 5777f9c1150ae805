"""index customers.updated_at (the similar-accounts index freshness check)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 13:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customers_updated_at", "customers", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_customers_updated_at", table_name="customers")
