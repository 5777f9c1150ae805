"""The versions of a plan people care about: the approved one in force, and what the current draft
changes relative to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccountPlan
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_revision


async def changes_since_approved(session: AsyncSession, plan: AccountPlan) -> list[str]:
    """What the current version changes relative to the version in force (empty if none)."""
    if not plan.approved_version or plan.approved_version == plan.version:
        return []
    approved = await get_revision(session, plan.id, plan.approved_version)
    return diff_plans(approved, document_of(plan))


async def document_in_force(session: AsyncSession, plan: AccountPlan) -> AccountPlanDocument | None:
    """The approved version people work from, even while a newer draft waits for approval."""
    if not plan.approved_version:
        return None
    if plan.approved_version == plan.version:
        return document_of(plan)
    return await get_revision(session, plan.id, plan.approved_version)
