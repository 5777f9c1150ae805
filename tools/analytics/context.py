"""Everything a planner needs about one customer, gathered in a constant number of SQL round
trips, with the data gaps listed explicitly; for many customers at once (a bulk run's batch), the
same number of round trips for the whole set (`gather_planning_contexts`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.customers import find_customer
from storage.db import Database
from storage.errors import NotFound
from storage.models import (
    Contact,
    Customer,
    HealthScore,
    Interaction,
    Opportunity,
    RiskSignal,
    UsageMonth,
    table_of,
)
from tools.analytics.data_gaps import list_data_gaps
from tools.analytics.expansion import ExpansionAssessment, assess_expansion
from tools.analytics.fiscal_calendar import fiscal_year_of, parse_fiscal_year
from tools.analytics.history import build_trend, month_start, summarize_interactions
from tools.analytics.relationships import score_relationship
from tools.analytics.risks import RiskAssessment, detect_risks
from tools.analytics.rows import (
    ContactRow,
    CustomerRow,
    HealthRow,
    InteractionRow,
    OpportunityRow,
    SignalRow,
    UsageRow,
)
from tools.analytics.snapshot import (
    ContactInsight,
    CustomerSnapshot,
    InteractionSummary,
    OpportunityFact,
    RiskSignalFact,
    SimilarAccounts,
    Trend,
)
from tools.analytics.stakeholders import StakeholderCoverage, assess_coverage


class PlanningContext(BaseModel):
    as_of: date
    customer: CustomerSnapshot
    contacts: list[ContactInsight]  # every contact, departed ones included (active=False)
    health: Trend
    usage_active_users: Trend
    usage_utilization: Trend
    opportunities: list[OpportunityFact]  # open, won and lost
    risk_signals: list[RiskSignalFact]  # active and resolved
    interactions: InteractionSummary
    days_to_renewal: int | None
    coverage: StakeholderCoverage
    expansion: ExpansionAssessment
    risks: RiskAssessment
    similar: SimilarAccounts | None  # None when not asked for
    data_gaps: list[str]  # "no usage history", "no economic buyer on record", ...


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _snapshot(customer: CustomerRow) -> CustomerSnapshot:
    return CustomerSnapshot(
        id=customer.id,
        name=customer.name,
        industry=customer.industry,
        segment=customer.segment,
        arr=_float(customer.arr),
        health_score=customer.health_score,
        renewal_date=customer.renewal_date,
        contract_start=customer.contract_start,
        seats_purchased=customer.seats_purchased,
        seats_active=customer.seats_active,
        feature_utilization=customer.feature_utilization,
        csm_email=customer.csm_email,
        goals=customer.goals,
        competitors=customer.competitors,
        renewal_outcome=customer.renewal_outcome,
        arr_change_last_year=_float(customer.arr_change_last_year),
    )


async def _grouped(session: AsyncSession, statement: Any) -> dict[str, list[Row[Any]]]:
    """The rows of `statement` per customer (its customer_id), each customer's rows in the
    statement's order."""
    grouped: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in await session.execute(statement):
        grouped[row.customer_id].append(row)
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
    # Statements over the tables' own columns: an ORM attribute anywhere in a statement sends its
    # rows through the ORM's loading machinery, even when no ORM object comes out.
    customer = table_of(Customer)
    customers = {row.id: row for row in await session.execute(select(customer).where(customer.c.id.in_(ids)))}
    if not customers:
        return {}
    ids = [i for i in ids if i in customers]
    contact, score, month, opportunity, signal, interaction = map(
        table_of, (Contact, HealthScore, UsageMonth, Opportunity, RiskSignal, Interaction)
    )
    contacts = await _grouped(
        session, select(contact).where(contact.c.customer_id.in_(ids)).order_by(contact.c.name, contact.c.id)
    )
    health = await _grouped(
        session,
        select(score).where(score.c.customer_id.in_(ids), score.c.date <= as_of).order_by(score.c.date),
    )
    usage = await _grouped(
        session,
        select(month)
        .where(month.c.customer_id.in_(ids), month.c.month <= as_of.strftime("%Y-%m"))
        .order_by(month.c.month),
    )
    opportunities = await _grouped(
        session, select(opportunity).where(opportunity.c.customer_id.in_(ids)).order_by(opportunity.c.id)
    )
    signals = await _grouped(
        session,
        select(signal)
        .where(
            signal.c.customer_id.in_(ids),
            or_(signal.c.detected_at.is_(None), signal.c.detected_at <= as_of),
        )
        .order_by(signal.c.id),
    )
    interactions = await _grouped(
        session,
        select(interaction)
        .where(interaction.c.customer_id.in_(ids), interaction.c.date <= as_of)
        .order_by(interaction.c.date, interaction.c.id),
    )
    similar: dict[str, SimilarAccounts] = {}
    if include_similar:
        # numpy and the feature index load on the first search, not when the CLI starts.
        from tools.analytics.similar_accounts import find_similar_accounts_for

        similar = await find_similar_accounts_for(session, {i: customers[i] for i in ids}, as_of)
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


async def gather_planning_context(
    session: AsyncSession,
    customer_id: str,
    as_of: date,
    *,
    fiscal_year: str | None = None,
    fiscal_year_start_month: int = 1,
    include_similar: bool = True,
) -> PlanningContext:
    """Everything a planner needs about one customer as of `as_of` (later records are ignored).

    One query per table, whatever the number of contacts; similar-account search reuses the
    customer's row (plus a one-off index build). The same code as `gather_planning_contexts` for many
    customers. Raises NotFound for an unknown customer id and BadInput for a malformed fiscal year.
    """
    contexts = await gather_planning_contexts(
        session,
        [customer_id],
        as_of,
        fiscal_year=fiscal_year,
        fiscal_year_start_month=fiscal_year_start_month,
        include_similar=include_similar,
    )
    if customer_id not in contexts:
        raise NotFound(f"no customer with id {customer_id!r}")
    return contexts[customer_id]


def build_planning_context(
    as_of: date,
    customer_row: CustomerRow,
    *,
    contacts: Sequence[ContactRow],
    health: Sequence[HealthRow],
    usage: Sequence[UsageRow],
    opportunities: Sequence[OpportunityRow],
    signals: Sequence[SignalRow],
    interactions: Sequence[InteractionRow],
    similar: SimilarAccounts | None,
    fiscal_year: str,
    fiscal_year_start_month: int = 1,
) -> PlanningContext:
    """The planning context from one customer's rows (ORM objects, stored or not, or Core rows of
    the same tables): every analytic computed as of `as_of`; rows dated after it are ignored. Pure,
    so planners can be tested on generated data without a database."""
    customer = _snapshot(customer_row)
    month = as_of.strftime("%Y-%m")
    contact_rows = sorted(contacts, key=lambda c: (c.name, c.id))
    health_rows = sorted((h for h in health if h.date <= as_of), key=lambda h: h.date)
    usage_rows = sorted((u for u in usage if u.month <= month), key=lambda u: u.month)
    opportunity_rows = sorted(opportunities, key=lambda o: o.id)
    signal_rows = sorted(
        (s for s in signals if s.detected_at is None or s.detected_at <= as_of), key=lambda s: s.id
    )
    interaction_rows = sorted((i for i in interactions if i.date <= as_of), key=lambda i: (i.date, i.id))
    by_contact: dict[str, list[InteractionRow]] = defaultdict(list)
    for interaction in interaction_rows:
        if interaction.contact_id:
            by_contact[interaction.contact_id].append(interaction)
    contact_insights = [
        ContactInsight(
            id=c.id,
            name=c.name,
            title=c.title,
            role=c.role,
            email=c.email,
            engagement_level=c.engagement_level,
            last_contacted=c.last_contacted,
            active=c.active,
            # ORM rows fit InteractionFacts; pyright does not apply Mapped[]'s descriptor when
            # matching a protocol (pyright issue 11021).
            relationship=score_relationship(c, by_contact.get(c.id, []), as_of),  # pyright: ignore[reportArgumentType]
        )
        for c in contact_rows
    ]
    health_trend = build_trend([(h.date, float(h.score)) for h in health_rows])
    usage_active = [
        (month_start(u.month), float(u.active_users)) for u in usage_rows if u.active_users is not None
    ]
    usage_adoption = [
        (month_start(u.month), float(u.feature_utilization))
        for u in usage_rows
        if u.feature_utilization is not None
    ]
    opportunity_facts = [
        OpportunityFact(
            id=o.id,
            type=o.type,
            description=o.description,
            value=float(o.value),
            probability=o.probability,
            expected_close=o.expected_close,
            stage=o.stage,
        )
        for o in opportunity_rows
    ]
    signal_facts = [
        RiskSignalFact(
            id=s.id,
            type=s.type,
            severity=s.severity,
            description=s.description,
            detected_at=s.detected_at,
            status=s.status,
        )
        for s in signal_rows
    ]
    interaction_summary = summarize_interactions(interaction_rows, {c.id: c.name for c in contact_rows}, as_of)
    coverage = assess_coverage(contact_insights)
    usage_active_users = build_trend(usage_active, label_months=True)
    expansion = assess_expansion(customer, opportunity_facts, fiscal_year, fiscal_year_start_month, as_of)
    risks = detect_risks(
        customer=customer,
        health=health_trend,
        usage_active_users=usage_active_users,
        coverage=coverage,
        risk_signals=signal_facts,
        interactions=interaction_summary,
        as_of=as_of,
    )
    return PlanningContext(
        as_of=as_of,
        customer=customer,
        contacts=contact_insights,
        health=health_trend,
        usage_active_users=usage_active_users,
        usage_utilization=build_trend(usage_adoption, label_months=True),
        opportunities=opportunity_facts,
        risk_signals=signal_facts,
        interactions=interaction_summary,
        days_to_renewal=(customer.renewal_date - as_of).days if customer.renewal_date else None,
        coverage=coverage,
        expansion=expansion,
        risks=risks,
        similar=similar,
        data_gaps=list_data_gaps(
            customer,
            contact_insights,
            coverage,
            len(health_rows),
            health_trend,
            health_rows[-1].date if health_rows else None,
            len(usage_rows),
            interaction_summary,
            similar,
            as_of,
        ),
    )


async def gather_planning_context_for(
    database: Database,
    customer_query: str,
    as_of: date,
    *,
    fiscal_year: str | None = None,
    fiscal_year_start_month: int = 1,
    include_similar: bool = True,
) -> PlanningContext:
    """Like gather_planning_context, for a customer named the way people name them (id, name or a
    fragment); raises UnknownCustomer with did-you-mean suggestions when nobody matches."""
    async with database.session() as session:
        customer = await find_customer(session, customer_query)
        return await gather_planning_context(
            session,
            customer.id,
            as_of,
            fiscal_year=fiscal_year,
            fiscal_year_start_month=fiscal_year_start_month,
            include_similar=include_similar,
        )
