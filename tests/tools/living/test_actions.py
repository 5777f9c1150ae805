"""90-day action tracking: due/overdue per CSM, done and snooze as revisions, objective progress."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from storage.db import Database
from storage.errors import BadInput, Conflict, NotFound
from storage.plans import get_plan, list_revisions
from tests.tools.living.living_data import add_approved_plan, add_customer, plan_document
from tools.living.actions import due_actions, due_actions_by_csm, mark_action_done, snooze_action
from tools.living.progress import metric_number, objective_progress, plan_progress, plans_progress


async def _two_plans(database: Database) -> tuple[str, str]:
    await add_customer(database, "c1", "Acme", csm="ana@example.com")
    await add_customer(database, "c2", "Globex", csm="bo@example.com")
    first = await add_approved_plan(database, plan_document("c1", "Acme"))
    second = await add_approved_plan(database, plan_document("c2", "Globex", start=date(2026, 1, 15)))
    return first, second


async def test_due_and_overdue_actions_per_csm_most_urgent_first(any_db: Database) -> None:
    await _two_plans(any_db)
    async with any_db.session() as session:
        # Acme week 1 due Jan 7, week 2 due Jan 14, week 3 due Jan 21; Globex week 1 due Jan 21.
        by_csm = await due_actions_by_csm(session, date(2026, 1, 15))
    assert set(by_csm) == {"ana@example.com", "bo@example.com"}
    ana = by_csm["ana@example.com"]
    assert [a.action for a in ana] == ["Acme action week 1", "Acme action week 2", "Acme action week 3"]
    assert [a.days_overdue for a in ana] == [8, 1, -6]
    assert ana[0].overdue and not ana[2].overdue
    assert [a.action for a in by_csm["bo@example.com"]] == ["Globex action week 1"]


async def test_nothing_due_before_the_first_week(db: Database) -> None:
    await _two_plans(db)
    async with db.session() as session:
        assert await due_actions_by_csm(session, date(2025, 12, 1)) == {}


async def test_draft_plans_are_not_tracked(db: Database) -> None:
    await add_customer(db, "c1", "Acme")
    from storage.plans import save_plan_version

    async with db.session() as session:
        await save_plan_version(session, plan_document("c1", "Acme"), author="a", reason="draft")
    async with db.session() as session:
        assert await due_actions(session, date(2026, 3, 1)) == []


async def test_mark_done_is_a_revision_and_keeps_the_plan_approved(any_db: Database) -> None:
    plan_id, _ = await _two_plans(any_db)
    async with any_db.session() as session:
        document = await mark_action_done(
            session, plan_id, 0, actor="ana@example.com", surface="slack", action_text="Acme action week 1"
        )
    assert document.action_plan_90day[0].status == "done"
    async with any_db.session() as session:
        plan = await get_plan(session, plan_id)
        revisions = await list_revisions(session, plan_id)
        due = await due_actions(session, date(2026, 1, 15), csm_email="ana@example.com")
    assert plan.status == "approved" and plan.version == 2 and plan.approved_version == 2
    assert revisions[-1].author == "ana@example.com" and "action done" in revisions[-1].reason
    assert "Acme action week 1" not in [a.action for a in due]
    async with any_db.session() as session:
        with pytest.raises(Conflict, match="already marked done"):
            await mark_action_done(session, plan_id, 0, actor="ana@example.com")


async def test_snooze_moves_the_due_date_out_of_the_digest(db: Database) -> None:
    plan_id, _ = await _two_plans(db)
    async with db.session() as session:
        document = await snooze_action(
            session, plan_id, 0, actor="ana@example.com", as_of=date(2026, 1, 15), days=14
        )
    assert document.action_plan_90day[0].status == "snoozed"
    assert document.action_plan_90day[0].due_date == date(2026, 1, 29)
    async with db.session() as session:
        assert "Acme action week 1" not in [a.action for a in await due_actions(session, date(2026, 1, 15))]
        # Back in the digest once the snooze runs out.
        later = await due_actions(session, date(2026, 1, 30), csm_email="ana@example.com")
    snoozed = [a for a in later if a.action == "Acme action week 1"]
    assert len(snoozed) == 1 and snoozed[0].status == "snoozed" and snoozed[0].days_overdue == 1
    async with db.session() as session:
        with pytest.raises(BadInput):
            await snooze_action(session, plan_id, 0, actor="ana", as_of=date(2026, 1, 15), days=0)


async def test_buttons_find_their_action_after_a_reorder_or_say_it_is_gone(db: Database) -> None:
    plan_id, _ = await _two_plans(db)
    async with db.session() as session:
        document = await mark_action_done(session, plan_id, 5, actor="ana", action_text="Acme action week 2")
    assert document.action_plan_90day[1].status == "done"
    async with db.session() as session:
        with pytest.raises(NotFound, match="no longer in the plan"):
            await mark_action_done(session, plan_id, 0, actor="ana", action_text="Something deleted")


def test_metric_numbers_are_read_from_what_people_write() -> None:
    assert metric_number("55%") == 55
    assert metric_number("$250K") == 250_000
    assert metric_number(2) == 2
    assert metric_number("n/a") is None and metric_number(None) is None


async def test_objective_progress_from_live_metrics_and_milestones(db: Database) -> None:
    await add_customer(db, "c1", "Acme", utilization=65.0)
    document = plan_document("c1", "Acme")
    objective = document.strategic_objectives[0]  # utilization 50% -> 80%, live value 65%
    milestones = [m.model_copy(update={"done": m.quarter == "Q1"}) for m in objective.quarterly_milestones]
    async with db.session() as session:
        from storage.models import Customer

        customer = await session.get(Customer, "c1")
        progress = objective_progress(
            objective.model_copy(update={"quarterly_milestones": milestones}), customer
        )
        # Half-way through the year, the Q2 milestone is overdue.
        mid_year = objective_progress(
            objective.model_copy(update={"quarterly_milestones": milestones}),
            customer,
            quarters_done=frozenset({"Q1", "Q2"}),
        )
    assert progress.metric_progress == pytest.approx(0.5)
    assert progress.milestones_done == 1 and progress.milestones_total == 4
    assert progress.progress == pytest.approx((0.25 + 0.5) / 2)
    # Nothing is due yet (the plan's first quarter is running): on track, not "behind" at 38%.
    assert not progress.complete and progress.status == "on_track" and progress.milestones_overdue == 0
    assert mid_year.status == "behind" and mid_year.milestones_overdue == 1

    all_done = [m.model_copy(update={"done": True}) for m in objective.quarterly_milestones]
    finished = objective_progress(objective.model_copy(update={"quarterly_milestones": all_done}), customer)
    assert finished.complete and finished.progress == 1.0 and finished.status == "complete"


async def test_plan_progress_lists_every_objective(db: Database) -> None:
    plan_id, _ = await _two_plans(db)
    async with db.session() as session:
        progress = await plan_progress(session, plan_id, date(2026, 3, 1))
    assert [p.objective_id for p in progress] == ["obj-1", "obj-2", "obj-3"]
    # obj-2's "Metric 2" is not tracked by the data: 50% of the way to 80% as written.
    assert progress[1].metric_progress == pytest.approx(50 / 80)


async def test_progress_of_several_plans_takes_one_query(db: Database) -> None:
    first, second = await _two_plans(db)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.session() as session:
            progress = await plans_progress(session, [first, second, "no-such-plan"], date(2026, 3, 1))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert set(progress) == {first, second}
    assert [p.objective_id for p in progress[second]] == ["obj-1", "obj-2", "obj-3"]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    async with db.session() as session:
        assert await plans_progress(session, [], date(2026, 3, 1)) == {}
        assert progress[first] == await plan_progress(session, first, date(2026, 3, 1))


def test_a_plan_is_behind_only_for_milestones_of_quarters_that_are_over() -> None:
    from tools.living.progress import quarters_over

    document = plan_document("c1", "Acme")  # FY2026, calendar fiscal year
    assert quarters_over(document, date(2025, 12, 1)) == frozenset()  # the year has not started
    assert quarters_over(document, date(2026, 4, 1)) == frozenset({"Q1"})
    assert quarters_over(document, date(2027, 1, 5)) == frozenset({"Q1", "Q2", "Q3", "Q4"})
