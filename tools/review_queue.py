"""A reviewer's queue: plans waiting for their decision, oldest submission first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccountPlan, Customer, User
from tools.policy import Actor

QUEUE_LIMIT = 50


@dataclass(frozen=True)
class QueueItem:
    plan_id: str
    customer_id: str
    customer_name: str
    fiscal_year: str
    version: int
    csm_email: str | None
    csm_name: str | None
    ai_confidence: float | None
    submitted_at: datetime
    changed_since_approved: bool


async def review_queue(
    session: AsyncSession, reviewer: Actor, *, limit: int = QUEUE_LIMIT
) -> list[QueueItem]:
    """Plans pending review that `reviewer` may decide: their reports' plans (admins: everyone's
    except their own). CSMs have no queue."""
    if reviewer.role not in ("manager", "admin"):
        return []
    query = (
        select(AccountPlan, Customer.name, User.email, User.name)
        .join(Customer, Customer.id == AccountPlan.customer_id)
        .outerjoin(User, func.lower(User.email) == func.lower(Customer.csm_email))
        .where(AccountPlan.status == "pending_review")
    )
    me = reviewer.email.lower()
    if reviewer.role == "manager":
        query = query.where(func.lower(User.manager_email) == me)
    query = query.where(func.coalesce(func.lower(Customer.csm_email), "") != me)
    rows = await session.execute(query.order_by(AccountPlan.updated_at).limit(limit))
    return [
        QueueItem(
            plan_id=plan.id,
            customer_id=plan.customer_id,
            customer_name=customer_name,
            fiscal_year=plan.fiscal_year,
            version=plan.version,
            csm_email=csm_email,
            csm_name=csm_name,
            ai_confidence=float(plan.ai_confidence) if plan.ai_confidence is not None else None,
            submitted_at=plan.updated_at,
            changed_since_approved=bool(plan.approved_version) and plan.approved_version != plan.version,
        )
        for plan, customer_name, csm_email, csm_name in rows.all()
    ]
