"""Outcome analytics: coverage, completion, overdue by CSM, plan-to-outcome with counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from storage.db import Database
from storage.models import AccountPlan
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version
from tests.tools.living.living_data import add_approved_plan, add_customer, plan_document
from tools.living.outcomes import format_stats, outcome_stats


def _with_done_milestones(document: AccountPlanDocument, objectives_done: int) -> AccountPlanDocument:
    data = document.to_json_dict()
    for objective in data["strategic_objectives"][:objectives_done]:
        for milestone in objective["quarterly_milestones"]:
            milestone["done"] = True
    return AccountPlanDocument.model_validate(data)


async def test_coverage_completion_overdue_and_outcomes(any_db: Database) -> None:
    await add_customer(any_db, "c1", "Acme", csm="ana@example.com", outcome="renewed", arr_change=10000)
    await add_customer(any_db, "c2", "Globex", csm="ana@example.com", outcome="renewed", arr_change=-5000)
    await add_customer(any_db, "c3", "Initech", csm="bo@example.com", outcome="churned", arr_change=-100000)
    await add_customer(any_db, "c4", "Umbrella", csm="bo@example.com", outcome="renewed")
    await add_customer(any_db, "c5", "Hooli", csm="bo@example.com")
    await add_approved_plan(any_db, _with_done_milestones(plan_document("c1", "Acme"), 2))
    await add_approved_plan(any_db, plan_document("c2", "Globex"), status="active")
    async with any_db.session() as session:  # a draft plan does not count as coverage
        await save_plan_version(session, plan_document("c3", "Initech"), author="bo", reason="draft")

    async with any_db.session() as session:
        stats = await outcome_stats(session, date(2026, 1, 15))
    assert (stats.coverage.hits, stats.coverage.total) == (2, 5)
    assert stats.coverage.rate == 0.4
    assert (stats.completion.hits, stats.completion.total) == (2, 6)
    # Week 1 (due Jan 7) and week 2 (due Jan 14) are overdue on both of Ana's plans.
    assert stats.overdue_by_csm == {"ana@example.com": 4}
    assert (stats.with_plan.renewal.hits, stats.with_plan.renewal.total) == (2, 2)
    assert (stats.without_plan.renewal.hits, stats.without_plan.renewal.total) == (1, 2)
    assert (stats.with_plan.expansion.hits, stats.with_plan.expansion.total) == (1, 2)
    assert (stats.without_plan.expansion.hits, stats.without_plan.expansion.total) == (0, 1)
    ana, bo = stats.by_csm
    assert (ana.csm_email, ana.coverage.rate, ana.overdue_actions) == ("ana@example.com", 1.0, 4)
    assert (bo.coverage.hits, bo.coverage.total, bo.completion.total) == (0, 3, 0)

    report = format_stats(stats)
    assert "Plan coverage:          40% (2/5) (below the 70% target)" in report
    assert "Objective completion:   33% (2/6) (below the 60% target)" in report
    assert "n/a (none yet)" in report  # Bo has no objectives: no rate invented


async def test_one_csm_only_and_an_empty_book(db: Database) -> None:
    async with db.session() as session:
        empty = await outcome_stats(session, date(2026, 1, 15))
    assert empty.coverage.rate is None and empty.by_csm == []
    assert "n/a (none yet)" in format_stats(empty)

    await add_customer(db, "c1", "Acme", csm="ana@example.com")
    await add_customer(db, "c2", "Globex", csm="bo@example.com")
    plan_id = await add_approved_plan(db, plan_document("c1", "Acme"))
    async with db.session() as session:
        await session.execute(update(AccountPlan).where(AccountPlan.id == plan_id).values(status="approved"))
        mine = await outcome_stats(session, date(2026, 1, 15), csm_email="bo@example.com")
    assert (mine.coverage.hits, mine.coverage.total) == (0, 1)
    assert mine.overdue_by_csm == {}


def test_a_first_plan_in_a_large_portfolio_is_not_shown_as_zero() -> None:
    from tools.living.outcomes import Rate

    assert Rate(hits=1, total=200).shown() == "0.5% (1/200)"
    assert Rate(hits=0, total=200).shown() == "0% (0/200)"
    assert Rate(hits=140, total=200).shown() == "70% (140/200)"


async def test_a_manager_sees_their_teams_outcomes_with_names(any_db: Database) -> None:
    from storage.users import save_user
    from tools.living.outcomes import stats_for
    from tools.plans.policy import Actor

    async with any_db.session() as session:
        await save_user(session, "maya@example.com", name="Maya Manager", role="manager")
        await save_user(session, "mo@example.com", name="Mo Manager", role="manager")
        await save_user(session, "ana@example.com", name="Ana Ruiz", role="csm", manager_email="maya@example.com")
        await save_user(session, "bo@example.com", name="Bo Berg", role="csm", manager_email="mo@example.com")
    await add_customer(any_db, "c1", "Acme", csm="ana@example.com")
    await add_customer(any_db, "c2", "Globex", csm="bo@example.com")
    await add_approved_plan(any_db, plan_document("c1", "Acme"))
    maya = Actor(email="maya@example.com", role="manager", name="Maya Manager")
    stats = await stats_for(any_db, maya, date(2026, 1, 15))
    # Only Maya's reports (Bo reports to someone else), each named.
    assert [(row.csm_email, row.csm_name) for row in stats.by_csm] == [("ana@example.com", "Ana Ruiz")]
    assert (stats.coverage.hits, stats.coverage.total) == (1, 1)
    assert {stats.csm_label(email) for email in stats.overdue_by_csm} == {"Ana Ruiz"}
    admin = await stats_for(any_db, Actor(email="ada@example.com", role="admin"), date(2026, 1, 15))
    assert [row.csm_name for row in admin.by_csm] == ["Ana Ruiz", "Bo Berg"]
