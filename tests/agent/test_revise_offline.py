"""Revising a plan without an Anthropic key: the intent parser on a small sample plan."""

from __future__ import annotations

import re

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


async def test_several_parts_become_one_revision_with_a_readable_diff(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(
        db,
        plan.plan_id,
        "set priority of objective 2 to critical; move objective 1 Q2 milestone to Q3\nmark action 1 done",
    )
    assert outcome.changed and not outcome.submitted
    assert outcome.diff == [
        "Objective 1: moved 'CFO value review' from Q2 to Q3",
        "Objective 1: added Q2 milestone 'To be agreed with the customer (placeholder)'",
        "Objective 2 is now Critical (was High)",
        "Action 'Request intro to CTO from Sarah' marked done",
    ]
    assert outcome.reply == (
        "TechCorp Industries FY2026, saved as version 2: Objective 2 is now Critical (was High). "
        "Objective 1: moved 'CFO value review' from Q2 to Q3. Q2 of objective 1 had no other milestone, so it "
        "now has a placeholder ('To be agreed with the customer (placeholder)'); reword it when you know the "
        "Q2 step. Action 'Request intro to CTO from Sarah' marked done."
    )
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
    assert "Added objective 4: 'Launch an admin training program' (High)" in outcome.diff
    assert outcome.document.action_plan_90day[-1].week == 3
    assert outcome.document.risk_mitigation.identified_risks[-1].severity == "critical"


async def test_what_is_not_understood_gets_close_suggestions_and_the_rest_is_done(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "make objective 1 high; rewrite the risks to sound more exciting")
    assert outcome.diff == ["Objective 1 is now High (was Critical)"]
    assert "I didn't understand 'rewrite the risks to sound more exciting'. You could say" in outcome.reply
    assert "risk" in outcome.reply.split("You could say")[1]
    assert not re.search(r"offline|claude", outcome.reply, re.IGNORECASE)
    nothing = await revise(db, plan.plan_id, "fly to the moon")
    assert not nothing.changed and nothing.reply.startswith("Nothing changed in TechCorp Industries FY2026.")
    assert nothing.reply.count("' or '") + nothing.reply.count("', '") in (1, 2)  # two or three suggestions
    async with db.session() as session:
        assert (await get_plan(session, plan.plan_id)).version == 2


async def test_approval_requests_are_refused(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "approve this plan")
    assert not outcome.changed and outcome.refused and "a manager decides" in outcome.reply
    async with db.session() as session:
        assert (await get_plan(session, plan.plan_id)).status == "draft"


async def test_submit_for_approval_goes_through_the_lifecycle(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "objective 1 high; submit for approval")
    assert outcome.submitted and outcome.document.status == "pending_review"
    assert "Morgan Manager will review it" in outcome.reply
    assert outcome.diff == ["Objective 1 is now High (was Critical)"]


async def test_ungrounded_or_impossible_edits_are_explained_not_saved(db: Database) -> None:
    plan = await seed_plan(db)
    outcome = await revise(db, plan.plan_id, "add action: Call the CFO, week 2, owner Sarah Jones")
    assert not outcome.changed
    assert "Sarah Jones is not one of TechCorp Industries' contacts on record" in outcome.reply
    outcome = await revise(db, plan.plan_id, "remove objective 9")
    assert outcome.reply == (
        "Nothing changed in TechCorp Industries FY2026. Couldn't remove objective 9: there is no objective 9; "
        "the plan has objectives 1-3."
    )
    outcome = await revise(db, plan.plan_id, "remove objective 3")
    assert outcome.reply.endswith(
        "Couldn't remove objective 3: a plan needs at least 3 objectives; add or replace one instead of removing it."
    )
    async with db.session() as session:
        assert (await get_plan(session, plan.plan_id)).version == 1


async def test_numbers_mean_what_the_person_sees_after_a_removal(db: Database) -> None:
    plan = await seed_plan(db)
    await revise(db, plan.plan_id, "add objective: Launch an admin training program (high)")
    outcome = await revise(db, plan.plan_id, "remove objective 2 and make objective 4 critical")
    objectives = outcome.document.strategic_objectives
    assert [o.id for o in objectives] == ["obj-1", "obj-2", "obj-3"]
    assert [o.objective for o in objectives] == [
        "Expand executive engagement to multi-level",
        "Secure a multi-year renewal",
        "Launch an admin training program",
    ]
    assert objectives[2].priority == "critical"  # the one shown as 4 when the request was typed
    assert "Objectives renumbered: 3 is now 2, 4 is now 3" in outcome.diff
    again = await revise(db, plan.plan_id, "make objective 3 medium")
    assert again.document.strategic_objectives[2].objective == "Launch an admin training program"
    assert again.document.strategic_objectives[2].priority == "medium"


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
    assert result.diff == ["Objective 3 now reads 'Secure a 2-year renewal at $250K' (was 'Secure a multi-year renewal')"]
    with pytest.raises(PlanEditRejected, match=r"\$5M is not money in the account data"):
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
    assert outcome.diff[0] == "Objective 1: moved 'CFO value review' from Q2 to Q3"


async def test_a_milestone_named_in_several_objectives_asks_which_one(db: Database) -> None:
    plan = await seed_plan(db)  # its three objectives each have a "CFO value review" in Q2
    outcome = await revise(db, plan.plan_id, "push the CFO review to Q3")
    assert not outcome.changed and outcome.document.version == 1
    assert "3 objectives have a milestone 'CFO value review' (objective 1, objective 2, objective 3); say which" in (
        outcome.reply
    )
    by_content = await revise(db, plan.plan_id, "push the CFO review of the renewal objective to Q3")
    assert by_content.diff[0] == "Objective 3: moved 'CFO value review' from Q2 to Q3"
