"""Planning contexts for many customers at once: one query per table for the whole set
(`WHERE customer_id IN (...)`), so a bulk run pays the round trips once per batch, not per account.

`gather_planning_context` (one customer) is this with a set of one, so a context is the same
whichever way it was gathered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, Customer, HealthScore, Interaction, Opportunity, RiskSignal, UsageMonth
from tools.analytics.context import PlanningContext, build_planning_context
from tools.analytics.fiscal_calendar import fiscal_year_of, parse_fiscal_year


async def _grouped(session: AsyncSession, statement: Any, customer_of: Any) -> dict[str, list[Any]]:
    """The rows of `statement` per customer, each customer's rows in the statement's order."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in (await session.execute(statement)).scalars():
        grouped[customer_of(row)].append(row)
    return grouped


async def gather_planning_contexts(
    session: AsyncSession,
    customer_ids: Sequence[str],
    as_of: date,
    *,
    fiscal_year: str | None = None,
    fiscal_year_start_month: int = 1,
    include_similar: bool = True,
) -> dict[str, PlanningContext]:
    """Every planner's input for each of `customer_ids` as of `as_of`, keyed by customer id; ids
    with no customer are absent. One query per table whatever the number of customers (similar
    accounts: one index check, then in memory). BadInput for a malformed fiscal year."""
    if fiscal_year is None:
        fiscal_year = fiscal_year_of(as_of, fiscal_year_start_month)
    else:
        parse_fiscal_year(fiscal_year)
    ids = list(dict.fromkeys(customer_ids))
    customers = {
        row.id: row
        for row in (await session.execute(select(Customer).where(Customer.id.in_(ids)))).scalars()
    }
    if not customers:
        return {}
    ids = [i for i in ids if i in customers]

    def by_customer(row: Any) -> str:
        return row.customer_id

    contacts = await _grouped(
        session,
        select(Contact).where(Contact.customer_id.in_(ids)).order_by(Contact.name, Contact.id),
        by_customer,
    )
    health = await _grouped(
        session,
        select(HealthScore)
        .where(HealthScore.customer_id.in_(ids), HealthScore.date <= as_of)
        .order_by(HealthScore.date),
        by_customer,
    )
    usage = await _grouped(
        session,
        select(UsageMonth)
        .where(UsageMonth.customer_id.in_(ids), UsageMonth.month <= as_of.strftime("%Y-%m"))
        .order_by(UsageMonth.month),
        by_customer,
    )
    opportunities = await _grouped(
        session, select(Opportunity).where(Opportunity.customer_id.in_(ids)).order_by(Opportunity.id), by_customer
    )
    signals = await _grouped(
        session,
        select(RiskSignal)
        .where(
            RiskSignal.customer_id.in_(ids),
            or_(RiskSignal.detected_at.is_(None), RiskSignal.detected_at <= as_of),
        )
        .order_by(RiskSignal.id),
        by_customer,
    )
    interactions = await _grouped(
        session,
        select(Interaction)
        .where(Interaction.customer_id.in_(ids), Interaction.date <= as_of)
        .order_by(Interaction.date, Interaction.id),
        by_customer,
    )
    similar: dict[str, Any] = {}
    if include_similar:
        # numpy and the feature index load on the first search, not when the CLI starts.
        from tools.analytics.similar_accounts import find_similar_accounts

        for customer_id in ids:
            similar[customer_id] = await find_similar_accounts(
                session, customer_id, as_of, customer=customers[customer_id]
            )
    return {
        customer_id: build_planning_context(
            as_of,
            customers[customer_id],
            contacts=contacts.get(customer_id, []),
            health=health.get(customer_id, []),
            usage=usage.get(customer_id, []),
            opportunities=opportunities.get(customer_id, []),
            signals=signals.get(customer_id, []),
            interactions=interactions.get(customer_id, []),
            similar=similar.get(customer_id),
            fiscal_year=fiscal_year,
            fiscal_year_start_month=fiscal_year_start_month,
        )
        for customer_id in ids
    }
