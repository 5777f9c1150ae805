"""Reading the audit trail: every transition and edit of a plan, oldest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent


async def audit_trail(session: AsyncSession, plan_id: str) -> list[AuditEvent]:
    rows = await session.execute(
        select(AuditEvent).where(AuditEvent.plan_id == plan_id).order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(rows.scalars())
