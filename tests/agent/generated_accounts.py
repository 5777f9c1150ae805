"""Hypothesis strategies for whole accounts: the rows a CRM holds for one customer (customer,
contacts, health and usage history, opportunities, risk signals, interaction notes), generated
across every lifecycle stage and with sparse and contradictory data, then turned into a planning
context by the real analytics (`build_planning_context`), as the drafter sees it in production."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from storage.models import Contact, Customer, HealthScore, Interaction, Opportunity, RiskSignal, UsageMonth
from tests.agent.context_factory import similar_accounts
from tools.analytics.context import PlanningContext, build_planning_context
from tools.analytics.fiscal_calendar import fiscal_year_of, parse_fiscal_year, planning_fiscal_year

CUSTOMER_ID = "gen-1"
ROLES = ["exec_sponsor", "champion", "technical_buyer", "economic_buyer", "user", "other"]
TITLES = [
    None,
    "CEO",
    "Chief Financial Officer",
    "VP Operations",
    "Head of Support",
    "Director of IT",
    "Support Team Lead",
    "Operations Analyst",
    "",
]
FIRST = ["Sarah", "Tom", "Ana", "Raj", "Lee", "Mei", "Omar", "Dana", "Kofi", "Zoe"]
LAST = ["Chen", "Reyes", "Lopez", "Patel", "Kim", "Okafor", "Walsh", "Varga"]
NOTES = [
    "currently evaluating alternatives for analytics",
    "the product org is evaluating alternatives for the reporting add-on",
    "asked for a pricing comparison with Gainsight",
    "frustrated by slow support responses",
    "escalated a P1 outage to their VP",
    "budget cuts announced for next year",
    "questioned the value for the price",
    "our champion is leaving the company next month",
    "no longer evaluating alternatives, happy with the roadmap",
    "happy with the rollout, asked about advanced features",
    "routine check-in on open tickets",
    "keen to expand to another team",
    "",
]
SIGNAL_TYPES = [
    "competitor_evaluation",
    "support_escalation",
    "champion_left",
    "budget_cut",
    "executive_change",
    "low_adoption",
    "payment_delay",
    "usage_decline",
    "health_drop",
    "nps_detractor",
    "mystery_signal",
]
OPPORTUNITY_NAMES = [
    "Premium analytics tier",
    "Reporting add-on",
    "Seats for a new regional team",
    "Workflow automation module",
    "Multi-year renewal",
    "",
]
GOALS = [
    None,
    "",
    "Cut time-to-resolution by 20%; consolidate support tooling",
    "Increase CSAT to 90%",
    "Scale customer success operations across EMEA",
    "Reduce churn by 5 points. Launch a self-serve tier",
]


@st.composite
def raw_account(draw: st.DrawFn, as_of: date) -> dict[str, list]:
    """Every row of one customer as of `as_of`, in any stage and with any gap."""
    days = st.integers
    start = draw(st.none() | days(-60, 2000).map(lambda d: as_of - timedelta(days=d)))
    renewal = draw(
        st.none()
        | days(-400, -1).map(lambda d: as_of + timedelta(days=d))  # passed: a record to fix
        | days(0, 800).map(lambda d: as_of + timedelta(days=d))
    )
    seats = draw(st.none() | days(0, 5000))
    customer = Customer(
        id=CUSTOMER_ID,
        name=draw(st.sampled_from(["Acme Corp", "Bare Ltd", "Zeta & Sons", "O'Brien Analytics"])),
        industry=draw(st.sampled_from([None, "technology", "healthcare", "retail"])),
        segment=draw(st.sampled_from([None, "smb", "mid-market", "enterprise", "strategic", "Other"])),
        arr=draw(st.none() | st.sampled_from([Decimal(0), Decimal(950), Decimal(250000), Decimal("48000000")])),
        health_score=draw(st.none() | days(0, 100)),
        renewal_date=renewal,
        contract_start=start,
        seats_purchased=seats,
        seats_active=draw(st.none() | days(0, 6000)) if seats is not None else None,
        feature_utilization=draw(st.none() | st.floats(0, 100)),
        csm_email=draw(st.sampled_from([None, "csm@vendor.example"])),
        goals=draw(st.sampled_from(GOALS)),
        competitors=draw(st.sampled_from([None, "Gainsight", "Gainsight, Totango", "in-house tooling"])),
        renewal_outcome=draw(st.sampled_from([None, "renewed", "churned", "pending"])),
        arr_change_last_year=None,
    )
    contacts = []
    for number in range(draw(days(0, 6))):
        contacts.append(
            Contact(
                id=f"c{number}",
                customer_id=CUSTOMER_ID,
                # Distinct people (a first name each): two contacts by one name would be one person.
                name=f"{FIRST[number]} {draw(st.sampled_from(LAST))}",
                title=draw(st.sampled_from(TITLES)),
                role=draw(st.sampled_from(ROLES)),
                email=None,
                engagement_level=draw(st.sampled_from([None, "high", "medium", "low", "none"])),
                last_contacted=draw(st.none() | days(0, 400).map(lambda d: as_of - timedelta(days=d))),
                # Often everyone on record has left: the "only departed contacts" case.
                active=draw(st.booleans()),
            )
        )
    months = draw(days(0, 18))
    month_days = [date((as_of.year * 12 + as_of.month - 1 - back) // 12, (as_of.year * 12 + as_of.month - 1 - back) % 12 + 1, 1) for back in range(months)]  # fmt: skip
    health = [
        HealthScore(customer_id=CUSTOMER_ID, date=day, score=draw(days(0, 100))) for day in month_days
    ]
    usage = [
        UsageMonth(
            customer_id=CUSTOMER_ID,
            month=day.strftime("%Y-%m"),
            active_users=draw(st.none() | days(0, 3000)),
            feature_utilization=draw(st.none() | st.floats(0, 100)),
        )
        for day in month_days
    ]
    opportunities = [
        Opportunity(
            id=f"o{number}",
            customer_id=CUSTOMER_ID,
            type=draw(st.sampled_from(["upsell", "cross_sell", "seat_expansion", "renewal"])),
            description=draw(st.sampled_from(OPPORTUNITY_NAMES)),
            value=Decimal(draw(days(0, 2_000_000))),
            probability=draw(st.sampled_from([0.0, 0.1, 0.5, 0.7, 1.0])),
            expected_close=draw(st.none() | days(-300, 500).map(lambda d: as_of + timedelta(days=d))),
            stage=draw(st.sampled_from(["open", "open", "won", "lost"])),
        )
        for number in range(draw(days(0, 4)))
    ]
    signals = [
        RiskSignal(
            id=f"r{number}",
            customer_id=CUSTOMER_ID,
            type=draw(st.sampled_from(SIGNAL_TYPES)),
            severity=draw(st.sampled_from(["low", "medium", "high", "critical"])),
            description=draw(st.sampled_from([n for n in NOTES if n] + ["Main champion announced they are leaving"])),
            detected_at=draw(st.none() | days(0, 300).map(lambda d: as_of - timedelta(days=d))),
            status=draw(st.sampled_from(["active", "active", "resolved"])),
        )
        for number in range(draw(days(0, 4)))
    ]
    interactions = [
        Interaction(
            id=f"i{number}",
            customer_id=CUSTOMER_ID,
            contact_id=draw(st.sampled_from([None, *[c.id for c in contacts]])),
            date=as_of - timedelta(days=draw(days(0, 400))),
            kind=draw(st.sampled_from([None, "call", "meeting", "email", "support_escalation"])),
            sentiment=draw(st.none() | st.sampled_from([-0.9, -0.5, -0.3, 0.0, 0.3, 0.8])),
            summary=draw(st.sampled_from(NOTES)) or None,
        )
        for number in range(draw(days(0, 8)))
    ]
    return {
        "customer": customer,
        "contacts": contacts,
        "health": health,
        "usage": usage,
        "opportunities": opportunities,
        "signals": signals,
        "interactions": interactions,
    }


@st.composite
def planned_accounts(draw: st.DrawFn) -> tuple[PlanningContext, str, int]:
    """(context, fiscal year, start month): an account on any day, planned for the year being
    planned then, the one it is in, or the next."""
    as_of = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
    start_month = draw(st.sampled_from([1, 2, 4, 7, 10]))
    rows = draw(raw_account(as_of))
    current = fiscal_year_of(as_of, start_month)
    fiscal_year = draw(
        st.sampled_from(
            [planning_fiscal_year(as_of, start_month), current, f"FY{parse_fiscal_year(current) + 1}"]
        )
    )
    similar = draw(st.sampled_from([None, similar_accounts(), similar_accounts(success_rate=None, count=0)]))
    context = build_planning_context(
        as_of,
        rows["customer"],
        contacts=rows["contacts"],
        health=rows["health"],
        usage=rows["usage"],
        opportunities=rows["opportunities"],
        signals=rows["signals"],
        interactions=rows["interactions"],
        similar=similar,
        fiscal_year=fiscal_year,
        fiscal_year_start_month=start_month,
    )
    return context, fiscal_year, start_month
