"""Every demo plan passes the plan review: all 200 accounts of the demo book, drafted offline for
the default fiscal year (the one being planned on the day) and for FY2026, have zero error findings.

The book is built as of the day the demo runs; the days here are today's in the project
(2026-12-04, when FY2027 is being planned) and the PRD's (2026-01-29)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from agent.drafter import draft_plan
from agent.review import review_plan
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.models import Customer
from tools.analytics.context import gather_planning_context
from tools.analytics.fiscal_calendar import planning_fiscal_year


@pytest.mark.parametrize("as_of", [date(2026, 12, 4), date(2026, 1, 29)])
async def test_every_demo_plan_has_zero_error_findings(db: Database, as_of: date) -> None:
    summary = await seed_demo_portfolio(db, as_of=as_of, fiscal_year_start_month=1)
    assert summary.added == 200
    years = sorted({planning_fiscal_year(as_of, 1), "FY2026"})
    stages: set[str] = set()
    levels: set[str] = set()
    errors: list[str] = []
    async with db.session() as session:
        ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
        for customer_id in ids:
            for fiscal_year in years:
                context = await gather_planning_context(
                    session, customer_id, as_of, fiscal_year=fiscal_year, fiscal_year_start_month=1
                )
                plan = draft_plan(context, fiscal_year)
                review = review_plan(plan, context)
                errors += [f"{customer_id} {fiscal_year} {f.code} at {f.path}: {f.message}" for f in review.errors]
                situation = plan.generation_context["situation"]
                stages.add(situation["stage"])
                levels.add(situation["risk_level"])

    assert errors == []
    # The book has every stage and every risk level in it.
    assert stages == {"onboarding", "adoption", "established", "renewal"}
    assert levels == {"on_track", "watch", "at_risk"}
