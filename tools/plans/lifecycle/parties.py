"""The people around a plan: whose book it is in, who approves for that CSM, who submitted it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccountPlan, AuditEvent, Customer
from storage.users import find_user
from storage.vocabulary import PlanStatus
from tools.plans.policy import Actor, PlanOwnership


async def last_event(session: AsyncSession, plan_id: str, action: str) -> AuditEvent | None:
    """The plan's most recent audit event of one kind (e.g. the last "submitted")."""
    return (
        await session.execute(
            select(AuditEvent)
            .where(AuditEvent.plan_id == plan_id, AuditEvent.action == action)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Parties:
    """The people around a plan, loaded once per transition."""

    customer_name: str
    ownership: PlanOwnership
    csm: Actor | None


async def parties_of(session: AsyncSession, plan: AccountPlan) -> Parties:
    customer = await session.get(Customer, plan.customer_id)
    csm_email = customer.csm_email if customer else None
    csm_user = await find_user(session, csm_email) if csm_email else None
    if csm_user is None and not csm_email and "@" in plan.created_by:
        csm_user = await find_user(session, plan.created_by)  # no CSM on record: tell the author
    submitted = await last_event(session, plan.id, "submitted") if plan.status == PlanStatus.PENDING_REVIEW else None
    manager_email = csm_user.manager_email if csm_user and csm_email else None
    return Parties(
        customer_name=customer.name if customer else plan.customer_id,
        ownership=PlanOwnership(
            csm_email=csm_email,
            csm_manager_email=manager_email,
            submitted_by=submitted.actor if submitted else None,
            csm_name=csm_user.name if csm_user and csm_email else None,
            csm_manager_name=await _name_of(session, manager_email),
        ),
        csm=Actor.from_user(csm_user) if csm_user else None,
    )


async def _name_of(session: AsyncSession, email: str | None) -> str | None:
    user = await find_user(session, email) if email else None
    return user.name if user is not None and user.name else None


async def customer_ownership(session: AsyncSession, customer: Customer | None) -> PlanOwnership:
    """Whose book a customer is in, and who approves for that CSM."""
    csm_email = customer.csm_email if customer else None
    csm = await find_user(session, csm_email) if csm_email else None
    manager_email = csm.manager_email if csm else None
    return PlanOwnership(
        csm_email=csm_email,
        csm_manager_email=manager_email,
        csm_name=csm.name if csm and csm.name else None,
        csm_manager_name=await _name_of(session, manager_email),
    )


async def ownership_of(session: AsyncSession, plan: AccountPlan) -> PlanOwnership:
    return (await parties_of(session, plan)).ownership
