"""remember the Slack thread a plan's summary was posted in

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 14:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_plans") as batch:
        batch.add_column(sa.Column("slack_thread_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account_plans") as batch:
        batch.drop_column("slack_thread_ts")
