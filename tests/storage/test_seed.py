"""The demo portfolio: deterministic, idempotent, meaningful outcomes, and the PRD's TechCorp."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from statistics import mean

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.demo.accounts import account_rows
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import quarter_close
from storage.errors import BadInput
from storage.models import (
    Contact,
    Customer,
    HealthScore,
    Interaction,
    Opportunity,
    RiskSignal,
    UsageMonth,
    User,
)
from tools.analytics.relationships import score_relationship

AS_OF = date(2026, 1, 29)  # the PRD's date: Q1 of FY2026 with a January fiscal year
TABLES = (Customer, Contact, HealthScore, UsageMonth, Opportunity, RiskSignal, Interaction, User)


async def counts(database: Database) -> dict[str, int]:
    async with database.session() as session:
        return {
            model.__tablename__: (await session.execute(select(func.count()).select_from(model))).scalar_one()
            for model in TABLES
        }


async def test_techcorp_matches_the_prd(any_db: Database) -> None:
    await seed_demo_portfolio(any_db, accounts=5, as_of=AS_OF, fiscal_year_start_month=1)

    async with any_db.session() as session:
        techcorp = (
            await session.execute(select(Customer).where(Customer.name == "TechCorp Industries"))
        ).scalar_one()
        contacts = (
            (await session.execute(select(Contact).where(Contact.customer_id == techcorp.id))).scalars().all()
        )
        opportunities = (
            (await session.execute(select(Opportunity).where(Opportunity.customer_id == techcorp.id)))
            .scalars()
            .all()
        )
        risks = (
            (await session.execute(select(RiskSignal).where(RiskSignal.customer_id == techcorp.id)))
            .scalars()
            .all()
        )
        sarah = next(contact for contact in contacts if contact.name == "Sarah Chen")
        sarahs_interactions = (
            (await session.execute(select(Interaction).where(Interaction.contact_id == sarah.id)))
            .scalars()
            .all()
        )

    assert techcorp.id == "techcorp" and techcorp.industry == "technology"
    assert techcorp.segment in {"strategic", "enterprise"}
    assert techcorp.arr == Decimal("250000.00") and techcorp.health_score == 68
    assert techcorp.feature_utilization == 55.0
    assert techcorp.seats_active is not None and techcorp.seats_purchased is not None
    assert techcorp.seats_active / techcorp.seats_purchased == pytest.approx(0.9, abs=0.02)
    assert techcorp.renewal_outcome == "pending"
    assert techcorp.renewal_date is not None and AS_OF + timedelta(days=90) < techcorp.renewal_date
    assert techcorp.renewal_date <= AS_OF + timedelta(days=365)

    assert len(contacts) == 5 and all(contact.active for contact in contacts)
    assert (sarah.title, sarah.role, sarah.engagement_level) == ("VP Product", "champion", "high")
    title_words = {word for contact in contacts for word in (contact.title or "").lower().split()}
    assert not title_words & {"cto", "cfo", "chief", "finance"}  # single-threaded: no CTO/CFO yet
    assert score_relationship(sarah, sarahs_interactions, AS_OF).score == pytest.approx(78, abs=3)

    open_opportunities = [o for o in opportunities if o.stage == "open"]
    assert len(open_opportunities) == 2
    premium = next(o for o in open_opportunities if o.description == "Premium analytics tier")
    assert (premium.type, premium.value, premium.probability) == ("upsell", Decimal("50000.00"), 0.7)
    assert premium.expected_close is not None
    assert date(2026, 4, 1) <= premium.expected_close <= date(2026, 6, 30)  # Q2 of FY2026
    assert [r.status for r in risks].count("active") == 1


def test_techcorp_opportunities_close_in_the_year_being_planned() -> None:
    assert quarter_close(date(2026, 1, 29), 1, 2) == date(2026, 5, 15)
    # Once Q4 has begun the next year is being planned: its Q2.
    assert quarter_close(date(2026, 11, 24), 1, 2) == date(2027, 5, 15)
    assert quarter_close(date(2026, 12, 4), 1, 2) == date(2027, 5, 15)
    # February fiscal years: on 2026-01-29 (Q4 of FY2026) FY2027 is planned; its Q2 is May-Jul 2026.
    assert quarter_close(date(2026, 1, 29), 2, 2) == date(2026, 6, 15)
    # Inside the quarter itself the close date is never in the past.
    assert quarter_close(date(2026, 6, 1), 1, 2) == date(2026, 6, 15)
    # Q2 already over in the year being planned: the next quarter of that same year, not next year.
    assert quarter_close(date(2026, 8, 10), 1, 2) == date(2026, 8, 24)


def test_accounts_are_deterministic_per_seed() -> None:
    assert account_rows(17, 235, AS_OF) == account_rows(17, 235, AS_OF)
    assert account_rows(17, 235, AS_OF) != account_rows(17, 236, AS_OF)
    assert (
        account_rows(17, 235, AS_OF)["customers"][0]["name"]
        != account_rows(18, 235, AS_OF)["customers"][0]["name"]
    )


async def test_reseeding_adds_only_missing_accounts(any_db: Database) -> None:
    first = await seed_demo_portfolio(any_db, accounts=40, as_of=AS_OF)
    after_first = await counts(any_db)
    async with any_db.session() as session:
        before = await session.get(Customer, "demo-000007")
        snapshot = (before.name, before.arr, before.health_score) if before else None

    again = await seed_demo_portfolio(any_db, accounts=40, as_of=AS_OF + timedelta(days=30))
    assert (again.added, again.already_present) == (0, 40)
    assert await counts(any_db) == after_first

    more = await seed_demo_portfolio(any_db, accounts=60, as_of=AS_OF)
    assert (first.added, more.added, more.already_present) == (40, 20, 40)
    after_more = await counts(any_db)
    assert after_more["customers"] == 60
    async with any_db.session() as session:
        unchanged = await session.get(Customer, "demo-000007")
    assert unchanged is not None and (unchanged.name, unchanged.arr, unchanged.health_score) == snapshot


async def test_two_databases_seeded_alike_hold_the_same_portfolio(
    any_db: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    shutil.copy(sqlite_template, tmp_path / "reference.db")
    reference = Database(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}")
    await seed_demo_portfolio(reference, accounts=25, as_of=AS_OF)
    await seed_demo_portfolio(any_db, accounts=25, as_of=AS_OF)

    async def portfolio(database: Database) -> list[tuple]:
        async with database.session() as session:
            rows = await session.execute(
                select(
                    Customer.id, Customer.name, Customer.arr, Customer.health_score, Customer.renewal_date
                ).order_by(Customer.id)
            )
            return [tuple(row) for row in rows]

    try:
        assert await portfolio(reference) == await portfolio(any_db)
        assert await counts(reference) == await counts(any_db)
    finally:
        await reference.dispose()


async def test_default_portfolio_spans_industries_segments_and_outcomes(db: Database) -> None:
    summary = await seed_demo_portfolio(db, as_of=AS_OF)

    assert summary.added == 200
    async with db.session() as session:
        customers = (await session.execute(select(Customer))).scalars().all()
        history = dict(
            (
                await session.execute(
                    select(HealthScore.customer_id, func.count()).group_by(HealthScore.customer_id)
                )
            ).all()
        )
        users = (await session.execute(select(User))).scalars().all()
        departed = (await session.execute(select(func.count()).where(Contact.active.is_(False)))).scalar_one()
        stages = set((await session.execute(select(Opportunity.stage))).scalars())
    assert len({c.industry for c in customers}) >= 7
    assert {c.segment for c in customers} == {"enterprise", "mid-market", "smb", "strategic"}
    assert {c.renewal_outcome for c in customers} == {"renewed", "churned", "pending"}
    assert len(history) == 200
    # History goes back 12-18 months, never to before the contract started.
    young = {c.id: c.contract_start for c in customers if c.contract_start and (AS_OF - c.contract_start).days < 540}
    assert all(12 <= months <= 18 for cid, months in history.items() if cid not in young)
    assert all(1 <= history[cid] <= (AS_OF - start).days // 28 + 2 for cid, start in young.items())
    assert departed > 0 and stages == {"open", "won", "lost"}
    csm_emails = {u.email for u in users if u.role == "csm"}
    assert {c.csm_email for c in customers} <= csm_emails
    assert {"U0CSM001", "U0MGR001"} <= {u.slack_user_id for u in users}
    assert all(u.manager_email for u in users if u.role == "csm")

    # Outcomes follow the account's health and adoption, so benchmarks have signal to find.
    grew = [c for c in customers if c.renewal_outcome == "renewed" and (c.arr_change_last_year or 0) > 0]
    churned = [c for c in customers if c.renewal_outcome == "churned"]
    assert len(grew) >= 30 and len(churned) >= 10
    assert mean(c.health_score or 0 for c in grew) > mean(c.health_score or 0 for c in churned) + 8
    assert (
        mean(c.feature_utilization or 0 for c in grew) > mean(c.feature_utilization or 0 for c in churned) + 5
    )


async def test_seeding_needs_at_least_one_account(db: Database) -> None:
    with pytest.raises(BadInput, match="at least 1"):
        await seed_demo_portfolio(db, accounts=0)


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 12, 4), date(2027, 7, 20)])
async def test_the_demo_book_is_current_on_any_date(db: Database, as_of: date) -> None:
    """Renewals ahead (churned accounts aside), recent touches, open deals closing in the year
    being planned, nothing dated after as_of, and some accounts still onboarding."""
    from tools.analytics.fiscal_calendar import fiscal_year_bounds, planning_fiscal_year

    await seed_demo_portfolio(db, as_of=as_of, fiscal_year_start_month=1)
    year_start, year_end = fiscal_year_bounds(planning_fiscal_year(as_of, 1), 1)
    async with db.session() as session:
        customers = (await session.execute(select(Customer))).scalars().all()
        opportunities = (await session.execute(select(Opportunity))).scalars().all()
        last_touch = dict(
            (await session.execute(select(Interaction.customer_id, func.max(Interaction.date)).group_by(Interaction.customer_id))).all()
        )
        latest = {
            model.__tablename__: (await session.execute(select(func.max(column)))).scalar_one()
            for model, column in ((Interaction, Interaction.date), (HealthScore, HealthScore.date), (RiskSignal, RiskSignal.detected_at))
        }
    current = [c for c in customers if c.renewal_outcome != "churned"]
    assert all(c.renewal_date is not None and c.renewal_date >= as_of for c in current)
    assert all(c.renewal_date is not None and c.renewal_date < as_of for c in customers if c.renewal_outcome == "churned")
    assert all(day <= as_of for day in latest.values())
    recent = [c for c in current if c.id in last_touch and (as_of - last_touch[c.id]).days <= 90]
    assert len(recent) >= 0.8 * len(current)
    open_deals = [o for o in opportunities if o.stage == "open"]
    assert open_deals and all(
        o.expected_close is not None and max(as_of, year_start) <= o.expected_close <= year_end for o in open_deals
    )
    onboarding = [c for c in customers if c.contract_start and 0 <= (as_of - c.contract_start).days < 120]
    assert len(onboarding) >= 8
    techcorp = next(c for c in customers if c.id == "techcorp")
    assert techcorp.renewal_date == as_of + timedelta(days=270)


async def test_refresh_brings_an_old_demo_book_up_to_date_and_keeps_plans(
    any_db: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    from agent.generate import GenerationRequest, generate_plan
    from storage.models import AccountPlan
    from tests.conftest import agent_deps

    await seed_demo_portfolio(any_db, accounts=12, as_of=AS_OF)
    await generate_plan(agent_deps(any_db), GenerationRequest(customer="techcorp", as_of=AS_OF, offline=True))
    before = await counts(any_db)
    later = date(2026, 12, 4)

    summary = await seed_demo_portfolio(any_db, accounts=12, as_of=later, refresh=True)

    assert (summary.added, summary.already_present) == (0, 12)
    after = await counts(any_db)
    assert after["customers"] == before["customers"] == 12
    async with any_db.session() as session:
        techcorp = await session.get(Customer, "techcorp")
        plans = (await session.execute(select(func.count()).select_from(AccountPlan))).scalar_one()
        newest = (await session.execute(select(func.max(Interaction.date)))).scalar_one()
    assert techcorp is not None and techcorp.renewal_date == later + timedelta(days=270)
    assert plans == 1  # the plan drafted earlier is still there
    assert newest is not None and (later - newest).days <= 30
    # The same date gives the same book as a fresh seeding.
    shutil.copy(sqlite_template, tmp_path / "fresh.db")
    fresh = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        await seed_demo_portfolio(fresh, accounts=12, as_of=later)
        assert {k: v for k, v in after.items() if k != "users"} == {
            k: v for k, v in (await counts(fresh)).items() if k != "users"
        }
    finally:
        await fresh.dispose()
