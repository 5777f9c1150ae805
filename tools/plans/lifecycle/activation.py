"""Activation: an approved plan becomes active on its CSM's say-so, or when its fiscal year starts
(the scheduler's daily job), both through the one transition write path."""

from __future__ import annotations

from datetime import date
from typing import Unpack

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccountPlan, utcnow
from storage.vocabulary import PlanStatus
from tools.analytics.fiscal_calendar import fiscal_year_bounds
from tools.plans.lifecycle.transitions import (
    TRANSITIONS,
    TransitionOptions,
    TransitionResult,
    transition,
    write_transition,
)


async def activate(
    session: AsyncSession, plan_id: str, **options: Unpack[TransitionOptions]
) -> TransitionResult:
    """approved -> active, on the CSM's say-so (the fiscal year's start does it automatically)."""
    return await transition(session, plan_id, "activate", **options)


def fiscal_year_start(fiscal_year: str, start_month: int) -> date:
    """First day of `fiscal_year` (FY2026 ends in calendar 2026, so a February start is 2025-02-01)."""
    return fiscal_year_bounds(fiscal_year, start_month)[0]


async def activate_started_plans(session: AsyncSession, *, today: date, start_month: int) -> list[str]:
    """Activate every approved plan whose fiscal year has begun (the scheduler's daily job).

    Each plan goes through the same conditional update, so replicas running the job at once
    activate each plan once; a plan someone else moved meanwhile is simply skipped.
    """
    candidates = (
        await session.execute(
            select(AccountPlan.id, AccountPlan.fiscal_year, AccountPlan.version).where(
                AccountPlan.status == PlanStatus.APPROVED
            )
        )
    ).all()
    activated: list[str] = []
    spec = TRANSITIONS["activate"]
    for plan_id, fiscal_year, version in candidates:
        if fiscal_year_start(fiscal_year, start_month) > today:
            continue
        if await write_transition(
            session,
            plan_id=plan_id,
            spec=spec,
            from_status=PlanStatus.APPROVED,
            version=version,
            actor_email="scheduler",
            surface="scheduler",
            comment=f"{fiscal_year} has started",
            now=utcnow(),
        ):
            activated.append(plan_id)
    return activated
