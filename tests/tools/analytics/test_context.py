from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from storage.db import Database
from storage.errors import BadInput, NotFound, UnknownCustomer
from storage.models import HealthScore, Interaction, Opportunity, RiskSignal, UsageMonth
from tests.tools.analytics.analytics_data import contact_row, customer_row, insert
from tools.analytics.context import (
    build_trend,
    gather_planning_context,
    gather_planning_context_for,
    gather_planning_contexts,
)

AS_OF = date(2025, 12, 1)


def days_ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


async def rich_account(database: Database) -> None:
    await insert(
        database,
        customer_row(
            "tc",
            name="TechCorp Industries",
            arr=250_000,
            health_score=62,
            seats_purchased=100,
            seats_active=92,
            feature_utilization=55.0,
            renewal_date=AS_OF + timedelta(days=75),
        ),
        customer_row("peer-1", renewal_outcome="renewed", arr_change_last_year=25_000),
        customer_row("peer-2", renewal_outcome="churned", arr_change_last_year=-200_000),
        contact_row(
            "sarah",
            "tc",
            name="Sarah Chen",
            title="VP Product",
            role="champion",
            engagement_level="high",
            last_contacted=days_ago(10),
        ),
        contact_row(
            "tom",
            "tc",
            name="Tom Reed",
            title="Director of Engineering",
            role="champion",
            engagement_level="high",
            active=False,
        ),
        contact_row(
            "ivy",
            "tc",
            name="Ivy Park",
            title="Engineering Manager",
            role="technical_buyer",
            engagement_level="medium",
            last_contacted=days_ago(40),
        ),
        HealthScore(customer_id="tc", date=days_ago(120), score=80),
        HealthScore(customer_id="tc", date=days_ago(90), score=78),
        HealthScore(customer_id="tc", date=days_ago(30), score=70),
        HealthScore(customer_id="tc", date=days_ago(1), score=62),
        HealthScore(customer_id="tc", date=AS_OF + timedelta(days=5), score=10),  # after as_of: ignored
        UsageMonth(customer_id="tc", month="2025-08", active_users=100, feature_utilization=60.0),
        UsageMonth(customer_id="tc", month="2025-09", active_users=95, feature_utilization=58.0),
        UsageMonth(customer_id="tc", month="2025-10", active_users=90, feature_utilization=56.0),
        UsageMonth(customer_id="tc", month="2025-11", active_users=80, feature_utilization=55.0),
        Opportunity(
            id="o1",
            customer_id="tc",
            type="upsell",
            description="Premium analytics tier",
            value=Decimal("50000"),
            probability=0.7,
            expected_close=date(2026, 5, 15),
            stage="open",
        ),
        Opportunity(
            id="o2",
            customer_id="tc",
            type="cross_sell",
            description="Old deal",
            value=Decimal("9000"),
            probability=1.0,
            expected_close=date(2025, 3, 1),
            stage="won",
        ),
        RiskSignal(
            id="r1",
            customer_id="tc",
            type="competitor",
            severity="high",
            description="Evaluating a competitor",
            detected_at=days_ago(20),
            status="active",
        ),
        Interaction(
            id="i1",
            customer_id="tc",
            contact_id="sarah",
            date=days_ago(10),
            kind="call",
            sentiment=0.6,
            summary="Roadmap review went well",
        ),
        Interaction(
            id="i2",
            customer_id="tc",
            contact_id="sarah",
            date=days_ago(50),
            kind="meeting",
            sentiment=0.4,
            summary="QBR",
        ),
        Interaction(
            id="i3",
            customer_id="tc",
            contact_id="tom",
            date=days_ago(200),
            kind="email",
            sentiment=0.1,
            summary=None,
        ),
        Interaction(
            id="i4",
            customer_id="tc",
            contact_id="sarah",
            date=AS_OF + timedelta(days=2),
            kind="call",
            sentiment=-1.0,
            summary="future: ignored",
        ),
    )


async def test_context_gathers_everything_with_scores_risks_and_gaps(any_db: Database) -> None:
    await rich_account(any_db)
    async with any_db.session() as session:
        context = await gather_planning_context(session, "tc", AS_OF, fiscal_year="FY2026")
    assert context.customer.name == "TechCorp Industries" and context.customer.arr == 250_000.0
    assert [c.name for c in context.contacts] == ["Ivy Park", "Sarah Chen", "Tom Reed"]
    sarah = next(c for c in context.contacts if c.id == "sarah")
    assert sarah.relationship.score > 50 and sarah.relationship.components["seniority"] == 80.0
    # The departed champion is listed and raises the departed-champion risk.
    assert [d.contact_id for d in context.coverage.departed] == ["tom"]
    kinds = {r.kind: r for r in context.risks.risks}
    assert "Tom Reed" in kinds["departed_champion"].title
    assert kinds["health_decline"].evidence.startswith("health fell 18 points")
    assert kinds["usage_decline"].evidence == "active users down 20% in about 90 days (100 -> 80)"
    assert kinds["renewal_soon"].evidence.endswith("75 days away, health 62")
    assert kinds["open_signal"].signal_id == "r1"
    assert context.risks.at_risk
    # Trends ignore the score recorded after as_of.
    assert (
        context.health.latest == 62 and context.health.change_90d == -18
    )  # vs 80, the last score at least 90 days earlier
    assert context.usage_utilization.points[-1].period == "2025-11"
    assert context.days_to_renewal == 75
    assert context.interactions.count_total == 3 and context.interactions.count_90d == 2
    assert context.interactions.recent[0] == "2025-11-21 call with Sarah Chen: Roadmap review went well"
    assert context.interactions.average_sentiment_90d == pytest.approx(0.5)
    # Expansion: the open CRM upsell plus detected seat pressure (92 of 100 seats).
    assert [(c.source, c.type) for c in context.expansion.candidates] == [
        ("crm", "upsell"),
        ("detected", "seat_expansion"),
    ]
    assert context.expansion.candidates[0].expected_quarter == "Q2"
    assert {o.id for o in context.opportunities} == {"o1", "o2"}
    assert context.similar is not None and context.similar.sample_size == 2
    assert context.similar.success_rate == 0.5
    assert "no economic buyer on record" in context.data_gaps
    assert "no executive sponsor (VP+) on record" in context.data_gaps
    assert "no usage history" not in context.data_gaps


async def test_bare_customer_lists_its_data_gaps(any_db: Database) -> None:
    await insert(any_db, customer_row("bare", renewal_date=None, arr=None, feature_utilization=None))
    async with any_db.session() as session:
        context = await gather_planning_context(session, "bare", AS_OF, include_similar=False)
    for gap in (
        "renewal date unknown",
        "ARR unknown",
        "feature utilization unknown",
        "no contacts on record",
        "no health history",
        "no usage history",
        "no interactions on record",
    ):
        assert gap in context.data_gaps
    assert context.similar is None and context.days_to_renewal is None
    assert context.health.latest is None and context.expansion.candidates == []
    assert context.coverage.single_threaded


async def statements_for(database: Database, customer_id: str, *, include_similar: bool) -> int:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.session() as session:
            await gather_planning_context(session, customer_id, AS_OF, include_similar=include_similar)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    return len(seen)


async def test_statement_count_does_not_grow_with_contacts(any_db: Database) -> None:
    rows: list[Any] = [
        customer_row("small"),
        customer_row("big"),
        customer_row("peer", renewal_outcome="renewed"),
    ]
    for customer_id, count in (("small", 2), ("big", 20)):
        for n in range(count):
            rows.append(contact_row(f"{customer_id}-{n}", customer_id, last_contacted=days_ago(n)))
    for customer_id, count in (("small", 2), ("big", 20)):
        for n in range(count):
            rows.append(
                Interaction(
                    id=f"{customer_id}-i{n}",
                    customer_id=customer_id,
                    contact_id=f"{customer_id}-{n}",
                    date=days_ago(n + 1),
                    sentiment=0.1,
                )
            )
    await insert(any_db, *rows)
    async with any_db.session() as session:  # build the similar-accounts index once
        await gather_planning_context(session, "small", AS_OF)
    small = await statements_for(any_db, "small", include_similar=False)
    big = await statements_for(any_db, "big", include_similar=False)
    assert (
        small == big == 7
    )  # one query per table: customer, contacts, health, usage, opps, signals, interactions
    # Similar accounts reuse the customer's row: at most a signature check when the index is due one.
    assert await statements_for(any_db, "big", include_similar=True) - big in (0, 1)


async def test_contexts_of_many_customers_are_the_single_contexts_in_the_same_queries(any_db: Database) -> None:
    await rich_account(any_db)
    await insert(any_db, customer_row("peer", renewal_outcome="renewed"), contact_row("peer-1", "peer"))
    async with any_db.session() as session:
        singles = {c: await gather_planning_context(session, c, AS_OF) for c in ("tc", "peer")}
        many = await gather_planning_contexts(session, ["tc", "nope", "peer", "tc"], AS_OF)
    assert list(many) == ["tc", "peer"]  # unknown ids are left out, duplicates read once
    assert many == singles
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(any_db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with any_db.session() as session:
            await gather_planning_contexts(session, ["tc", "peer"], AS_OF, include_similar=False)
    finally:
        event.remove(any_db.engine.sync_engine, "before_cursor_execute", count)
    assert len(seen) == 7


async def test_unknown_customer_and_fuzzy_lookup(any_db: Database) -> None:
    await rich_account(any_db)
    async with any_db.session() as session:
        with pytest.raises(NotFound, match="no customer with id 'nope'"):
            await gather_planning_context(session, "nope", AS_OF)
        with pytest.raises(BadInput, match="FY2026"):
            await gather_planning_context(session, "tc", AS_OF, fiscal_year="FY26")
    context = await gather_planning_context_for(any_db, "techcorp", AS_OF, include_similar=False)
    assert context.customer.id == "tc"
    with pytest.raises(UnknownCustomer) as caught:
        await gather_planning_context_for(any_db, "TechCorb Industries", AS_OF)
    assert "did you mean 'TechCorp Industries'" in str(caught.value)


def test_trend_change_needs_enough_history() -> None:
    start = date(2025, 1, 1)
    short = build_trend([(start, 70.0), (start + timedelta(days=30), 60.0)])
    assert short.latest == 60.0 and short.change_90d is None
    weekly = build_trend([(start + timedelta(days=7 * n), 80.0 - n) for n in range(20)])
    assert weekly.change_90d == -13.0  # week 19 vs week 6 (the last point at least 90 days earlier)
    assert len(weekly.points) == 5  # one point per month
