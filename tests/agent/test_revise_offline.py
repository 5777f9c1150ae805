"""Revising a plan without an Anthropic key: the deterministic command grammar."""

from __future__ import annotations

import pytest

from agent.revise import apply_plan_edits, grounding_check_for, revise_plan
from storage.db import Database
from storage.errors import Conflict
from storage.plans import get_plan
from tests.conftest import agent_deps
from tests.fakes.plan_samples import seed_plan
from tools.plans.edits import EditObjective, PlanEditRejected
from tools.plans.revisions import save_edits


async def revise(db: Database, plan_id: str, message: str):  # type: ignore[no-untyped-def]
    return await revise_plan(agent_deps(db), plan_id, message, actor="csm@example.com", surface="cli")


async def test_several_commands_become_one_revision_with_a_readable_diff(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(
        db,
        plan.plan_id,
        "set priority of objective 2 to critical; move objective 1 Q2 milestone to Q3\nmark action 1 done",
    )
    assert outcome.changed and not outcome.submitted
    assert outcome.diff == [
        "Objective 1: Q3 milestone moved from Q2: CFO value review",
        "Objective 1: Q2 milestone moved from Q3: Joint exec planning session",
        "Objective 2: priority 'high' -> 'critical'",
        "90-day plan: action 'Request intro to CTO from Sarah' marked done",
    ]
    assert outcome.reply == "Done: 4 changes."
    assert outcome.document.version == 2
    assert outcome.usage == {}


async def test_adding_objective_action_and_risk(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(
        db,
        plan.plan_id,
        "add objective: Launch an admin training program (high); add action: Book admin training, week 3; "
        "add risk: Budget freeze (critical)",
    )
    assert "Objective 4 added: Launch an admin training program (high)" in outcome.diff
    assert outcome.document.action_plan_90day[-1].week == 3
    assert outcome.document.risk_mitigation.identified_risks[-1].severity == "critical"


async def test_anything_else_gets_the_offline_help_and_changes_nothing(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "remove objective 3; rewrite the summary to sound more exciting")
    assert not outcome.changed and outcome.diff == []
    assert outcome.reply.startswith("I didn't understand 'rewrite the summary to sound more exciting'")
    assert "I can do these offline" in outcome.reply and "set priority of objective 2" in outcome.reply
    async with db.session() as session:
        assert (await get_plan(session, plan.plan_id)).version == 1


async def test_approval_requests_are_refused(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "approve this plan")
    assert not outcome.changed and "a manager decides" in outcome.reply
    async with db.session() as session:
        assert (await get_plan(session, plan.plan_id)).status == "draft"


async def test_submit_for_approval_goes_through_the_lifecycle(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "objective 1 high; submit for approval")
    assert outcome.submitted and outcome.document.status == "pending_review"
    assert "Morgan Manager will review it" in outcome.reply
    assert outcome.diff == ["Objective 1: priority 'critical' -> 'high'"]


async def test_ungrounded_or_impossible_edits_are_explained_not_saved(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "add action: Call the CFO, week 2, owner Sarah Jones")
    assert not outcome.changed
    assert "Sarah Jones" in outcome.reply and "not one of the account's contacts" in outcome.reply
    outcome = await revise(db, plan.plan_id, "remove objective 9")
    assert (
        outcome.reply
        == "I couldn't make that change: the plan has no objective obj-9; it has obj-1, obj-2, obj-3"
    )
    async with db.session() as session:
        assert (await get_plan(session, plan.plan_id)).version == 1


async def test_form_edits_are_grounded_and_versioned(db: Database) -> None:
    plan = await seed_plan(db)
    result = await apply_plan_edits(
        agent_deps(db),
        plan.plan_id,
        [EditObjective(objective_id="obj-3", objective="Secure a 2-year renewal at $250K")],
        actor="csm@example.com",
        surface="slack",
        expected_version=1,
    )
    assert result.diff == [
        "Objective 3: objective 'Secure a multi-year renewal' -> 'Secure a 2-year renewal at $250K'"
    ]
    with pytest.raises(PlanEditRejected, match=r"\$5M is not a figure from the account data"):
        await apply_plan_edits(
            agent_deps(db),
            plan.plan_id,
            [EditObjective(objective_id="obj-3", rationale="Worth $5M to us")],
            actor="csm@example.com",
            surface="slack",
        )
    with pytest.raises(Conflict):
        await apply_plan_edits(
            agent_deps(db),
            plan.plan_id,
            [EditObjective(objective_id="obj-3", priority="high")],
            actor="csm@example.com",
            surface="slack",
            expected_version=1,
        )


async def test_grounding_check_for_lets_lower_layers_ground_their_saves(db: Database) -> None:
    plan = await seed_plan(db)
    check = await grounding_check_for(agent_deps(db), plan.plan_id)
    async with db.session() as session:
        with pytest.raises(PlanEditRejected, match="Sarah Jones"):
            await save_edits(
                session,
                plan.plan_id,
                [EditObjective(objective_id="obj-1", rationale="Sarah Jones asked for it")],
                actor="csm@example.com",
                surface="slack",
                check=check,
            )


@pytest.mark.parametrize(
    "message",
    [
        "push objective 1 Q2 milestone to Q3",
        "move the Q2 milestone of objective 1 to Q3",
        "shift objective 1's Q2 milestone to Q3",
        "Reschedule obj-1 Q2 milestone to Q3.",
    ],
)
async def test_the_ways_people_ask_to_move_a_milestone(db: Database, message: str) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, message)
    assert outcome.changed
    assert outcome.diff[0] == "Objective 1: Q3 milestone moved from Q2: CFO value review"


async def test_a_milestone_named_in_several_objectives_asks_which_one(db: Database) -> None:
    plan = await seed_plan(db)  # its three objectives each have a "CFO value review" in Q2
    outcome = await revise(db, plan.plan_id, "push the CFO review to Q3")
    assert not outcome.changed and outcome.document.version == 1
    assert "3 milestones match 'cfo review'; say which objective" in outcome.reply
