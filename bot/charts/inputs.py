"""What the pictures need besides the plan: the fiscal calendar, the renewal date and today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan


@dataclass(frozen=True)
class ChartInputs:
    document: AccountPlanDocument
    today: date
    fiscal_year_start_month: int = 1
    renewal_date: date | None = None


def plan_start_month(document: AccountPlanDocument, default: int) -> int:
    """The fiscal calendar the plan was drafted with (recorded), else the configured one."""
    recorded = document.generation_context.get("fiscal_year_start_month")
    return recorded if isinstance(recorded, int) and 1 <= recorded <= 12 else default


async def chart_inputs(session: AsyncSession, plan_id: str, today: date, *, start_month: int) -> ChartInputs:
    plan = await get_plan(session, plan_id)
    document = document_of(plan)
    customer = await session.get(Customer, plan.customer_id)
    return ChartInputs(
        document=document,
        today=today,
        fiscal_year_start_month=plan_start_month(document, start_month),
        renewal_date=customer.renewal_date if customer is not None else None,
    )
