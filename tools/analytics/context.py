"""Everything a planner needs about one customer, gathered in a constant number of SQL round
trips, with the data gaps listed explicitly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel
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
)
from tools.analytics.data_gaps import list_data_gaps
from tools.analytics.expansion import ExpansionAssessment, assess_expansion
from tools.analytics.relationships import score_relationship
from tools.analytics.risks import RiskAssessment, detect_risks
from tools.analytics.snapshot import (
    ContactInsight,
    CustomerSnapshot,
    InteractionNote,
    InteractionSummary,
    OpportunityFact,
    RiskSignalFact,
    SimilarAccounts,
    Trend,
    TrendPoint,
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


# A trend's "90-day" change compares the latest point with the last one at least this long before it;
# when history is shorter, a point at least MIN_BASELINE_DAYS back will do.
TREND_WINDOW_DAYS = 90
MIN_BASELINE_DAYS = 60
MAX_BASELINE_DAYS = 180
TREND_HISTORY_DAYS = 365  # points shown: the last one of each month over the past year
RECENT_DAYS = 90
RECENT_SHOWN = 5
SUMMARY_CHARS = 160
NOTES_DAYS = 180  # interaction notes older than this no longer describe the relationship
NOTES_SHOWN = 20


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _snapshot(customer: Customer) -> CustomerSnapshot:
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


def build_trend(series: Sequence[tuple[date, float]], *, label_months: bool = False) -> Trend:
    """Trend of dated values (oldest first): the last point per month over the past year, the
    latest value, and the change over about 90 days (None when history is too short)."""
    if not series:
        return Trend(points=[], latest=None, change_90d=None, change_pct_90d=None)
    latest_day, latest = series[-1]
    monthly: dict[str, tuple[date, float]] = {}
    for day, value in series:
        if day >= latest_day - timedelta(days=TREND_HISTORY_DAYS):
            monthly[day.strftime("%Y-%m")] = (day, value)
    points = [
        TrendPoint(period=month if label_months else day.isoformat(), value=value)
        for month, (day, value) in monthly.items()
    ]
    target = latest_day - timedelta(days=TREND_WINDOW_DAYS)
    before = [(d, v) for d, v in series if d <= target]
    baseline: tuple[date, float] | None = before[-1] if before else None
    if baseline is None and series[0][0] <= latest_day - timedelta(days=MIN_BASELINE_DAYS):
        baseline = series[0]
    if baseline is not None and baseline[0] < latest_day - timedelta(days=MAX_BASELINE_DAYS):
        baseline = None
    change = round(latest - baseline[1], 2) if baseline is not None else None
    change_pct = (
        round(100.0 * change / baseline[1], 1)
        if baseline is not None and change is not None and baseline[1]
        else None
    )
    return Trend(points=points, latest=latest, change_90d=change, change_pct_90d=change_pct)


def _month_start(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def summarize_interactions(
    interactions: Sequence[Interaction], names: dict[str, str], as_of: date
) -> InteractionSummary:
    """Counts, recent sentiment and the latest few touches, newest first."""
    recent_start = as_of - timedelta(days=RECENT_DAYS)
    recent = [i for i in interactions if i.date >= recent_start]
    sentiments = [i.sentiment for i in recent if i.sentiment is not None]
    newest = sorted(interactions, key=lambda i: (i.date, i.id), reverse=True)[:RECENT_SHOWN]
    lines: list[str] = []
    for item in newest:
        who = names.get(item.contact_id or "", "an unnamed contact")
        text = f"{item.date.isoformat()} {item.kind or 'interaction'} with {who}"
        if item.summary:
            summary = item.summary.strip()
            text += ": " + (summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1] + "…")
        lines.append(text)
    notes_start = as_of - timedelta(days=NOTES_DAYS)
    noted = sorted(
        (i for i in interactions if i.date >= notes_start and i.summary and i.summary.strip()),
        key=lambda i: (i.date, i.id),
        reverse=True,
    )[:NOTES_SHOWN]
    return InteractionSummary(
        count_90d=len(recent),
        count_total=len(interactions),
        average_sentiment_90d=round(sum(sentiments) / len(sentiments), 3) if sentiments else None,
        last_interaction=newest[0].date if newest else None,
        recent=lines,
        notes=[
            InteractionNote(
                date=item.date,
                kind=item.kind,
                contact_id=item.contact_id,
                contact_name=names.get(item.contact_id or ""),
                sentiment=item.sentiment,
                summary=(item.summary or "").strip(),
            )
            for item in noted
        ],
    )


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
    from tools.analytics.gather import gather_planning_contexts  # it builds on this module

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
    customer_row: Customer,
    *,
    contacts: Sequence[Contact],
    health: Sequence[HealthScore],
    usage: Sequence[UsageMonth],
    opportunities: Sequence[Opportunity],
    signals: Sequence[RiskSignal],
    interactions: Sequence[Interaction],
    similar: SimilarAccounts | None,
    fiscal_year: str,
    fiscal_year_start_month: int = 1,
) -> PlanningContext:
    """The planning context from one customer's rows (ORM objects, stored or not): every analytic
    computed as of `as_of`; rows dated after it are ignored. Pure, so planners can be tested on
    generated data without a database."""
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
    by_contact: dict[str, list[Interaction]] = defaultdict(list)
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
        (_month_start(u.month), float(u.active_users)) for u in usage_rows if u.active_users is not None
    ]
    usage_adoption = [
        (_month_start(u.month), float(u.feature_utilization))
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
