"""draft runs: a bulk drafting run (scope, mode, counts, Claude batch ids, usage) and its per-account items

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "draft_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("scope", _json(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("surface", sa.String(length=20), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("drafted", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("batch_ids", _json(), nullable=False),
        sa.Column("usage", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_runs", schema=None) as batch_op:
        batch_op.create_index("ix_draft_runs_state", ["state"], unique=False)
        batch_op.create_index("ix_draft_runs_created_at", ["created_at"], unique=False)
    op.create_table(
        "draft_run_items",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("plan_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("usage", _json(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["draft_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "customer_id"),
    )
    with op.batch_alter_table("draft_run_items", schema=None) as batch_op:
        batch_op.create_index("ix_draft_run_items_run_state", ["run_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_run_items", schema=None) as batch_op:
        batch_op.drop_index("ix_draft_run_items_run_state")
    op.drop_table("draft_run_items")
    with op.batch_alter_table("draft_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_draft_runs_created_at")
        batch_op.drop_index("ix_draft_runs_state")
    op.drop_table("draft_runs")
