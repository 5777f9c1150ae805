"""Plan edits: each is validated, grounded, saved as one revision with its diff, or not at all."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.errors import BadInput, Conflict
from storage.models import AuditEvent, PlanRevision
from storage.plan_document import AccountPlanDocument
from tests.fakes.plan_samples import seed_plan
from tools.plans.edits import (
    PLACEHOLDER_MILESTONE,
    AddAction,
    AddObjective,
    AddRisk,
    EditAction,
    EditMilestone,
    EditObjective,
    PlanEditRejected,
    RemoveObjective,
    UpdateSection,
    apply_edits_noted,
)
from tools.plans.revisions import read_plan, save_edits


async def edit(database: Database, plan_id: str, *edits, check=None, expected_version=None):  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return await save_edits(
            session,
            plan_id,
            list(edits),
            actor="csm@example.com",
            surface="cli",
            check=check,
            expected_version=expected_version,
        )


async def test_priority_change_saves_a_revision_with_its_diff(db: Database) -> None:
    plan = await seed_plan(db)
    result = await edit(db, plan.plan_id, EditObjective(objective_id="2", priority="critical"))
    assert result.changed and result.version == 2
    assert result.diff == ["Objective 2 is now Critical (was High)"]
    async with db.session() as session:
        stored = await read_plan(session, plan.plan_id)
        revision = (await session.execute(select(PlanRevision).where(PlanRevision.version == 2))).scalar_one()
        audit = (await session.execute(select(AuditEvent).where(AuditEvent.version == 2))).scalar_one()
    assert stored.strategic_objectives[1].priority == "critical"
    assert revision.diff == "Objective 2 is now Critical (was High)"
    assert audit.action == "revised" and audit.actor == "csm@example.com"


async def test_moving_the_only_milestone_never_swaps_the_emptied_quarter_gets_a_placeholder(db: Database) -> None:
    plan = await seed_plan(db)
    result = await edit(db, plan.plan_id, EditMilestone(objective_id="obj-1", match="CFO", move_to="Q3"))
    assert result.diff == [
        "Objective 1: moved 'CFO value review' from Q2 to Q3",
        "Objective 1: added Q2 milestone 'To be agreed with the customer (placeholder)'",
    ]
    milestones = result.document.strategic_objectives[0].quarterly_milestones
    assert [(m.quarter, m.milestone) for m in milestones] == [
        ("Q1", "Intro meeting with CTO"),
        ("Q2", PLACEHOLDER_MILESTONE),
        ("Q3", "CFO value review"),
        ("Q3", "Joint exec planning session"),
        ("Q4", "Renewal approval secured"),
    ]
    applied = apply_edits_noted(result.document, [EditMilestone(objective_id="1", match="Joint", move_to="Q1")])
    assert [m.quarter for m in applied.document.strategic_objectives[0].quarterly_milestones] == [
        "Q1", "Q1", "Q2", "Q3", "Q4"
    ]  # quarter order kept; Q3 still has the CFO review, so no placeholder
    assert applied.notes == []


async def test_several_edits_are_one_revision(db: Database) -> None:
    plan = await seed_plan(db)
    result = await edit(
        db,
        plan.plan_id,
        EditAction(number=1, status="done"),
        AddRisk(risk="Budget freeze", severity="medium", mitigation="ROI review with finance", owner="CSM"),
        AddAction(action="Run admin training", owner="CSM", week=4),
    )
    assert result.version == 2
    added = result.document.action_plan_90day[-1]
    # Week 4 is anchored on the existing actions (week 1 is due 2026-01-09).
    assert added.due_date.isoformat() == "2026-01-30"
    assert "Action 'Request intro to CTO from Sarah' marked done" in result.diff
    assert "Added risk 'Budget freeze' (Medium)" in result.diff


async def test_invalid_result_is_rejected_and_nothing_is_saved(db: Database) -> None:
    plan = await seed_plan(db)
    with pytest.raises(PlanEditRejected) as caught:
        await edit(db, plan.plan_id, UpdateSection(section="strategic_objectives", content=[]))
    assert "strategic_objectives" in caught.value.message
    with pytest.raises(BadInput, match="at least 3 objectives"):
        await edit(db, plan.plan_id, RemoveObjective(objective_id="obj-1"))
    with pytest.raises(BadInput, match="no objective 9; the plan has objectives 1-3"):
        await edit(db, plan.plan_id, EditObjective(objective_id="obj-9", priority="medium"))
    async with db.session() as session:
        assert (await read_plan(session, plan.plan_id)).version == 1


async def test_grounding_check_can_veto_a_change(db: Database) -> None:
    plan = await seed_plan(db)

    def check(before: AccountPlanDocument, after: AccountPlanDocument) -> list[str]:
        return (
            ["expansion_plan.current_arr must be $250,000"]
            if after.expansion_plan.current_arr != 250000
            else []
        )

    content = plan.expansion_plan.model_dump(mode="json") | {"current_arr": 900000}
    with pytest.raises(PlanEditRejected, match=r"current_arr must be \$250,000"):
        await edit(db, plan.plan_id, UpdateSection(section="expansion_plan", content=content), check=check)


async def test_stale_version_conflicts(db: Database) -> None:
    plan = await seed_plan(db)
    await edit(db, plan.plan_id, EditObjective(objective_id="1", priority="high"))
    with pytest.raises(Conflict):
        await edit(db, plan.plan_id, EditObjective(objective_id="1", priority="medium"), expected_version=1)


async def test_add_and_remove_objective_keeps_links_consistent(db: Database) -> None:
    plan = await seed_plan(db)
    objective = plan.strategic_objectives[0].model_dump(mode="json")
    add = AddObjective(
        objective="Launch an admin training program",
        rationale="Adoption lags peers",
        owner="Both",
        priority="medium",
        success_metrics=objective["success_metrics"],
        quarterly_milestones=objective["quarterly_milestones"],
    )
    result = await edit(
        db, plan.plan_id, add, AddAction(action="Book training", owner="CSM", week=3, objective_id="obj-3")
    )
    assert [o.id for o in result.document.strategic_objectives] == ["obj-1", "obj-2", "obj-3", "obj-4"]
    result = await edit(db, plan.plan_id, RemoveObjective(objective_id="obj-3"))
    assert result.diff == [
        "Removed objective 3: 'Secure a multi-year renewal'",
        "Objectives renumbered: 4 is now 3",
        "Action 'Book training' is no longer linked to an objective",
    ]
    assert [o.id for o in result.document.strategic_objectives] == ["obj-1", "obj-2", "obj-3"]
    assert result.document.action_plan_90day[-1].objective_id is None



async def test_no_op_edit_saves_nothing(db: Database) -> None:
    plan = await seed_plan(db)
    result = await edit(db, plan.plan_id, EditObjective(objective_id="obj-1", priority="critical"))
    assert not result.changed and result.version == 1 and result.diff == []


async def test_update_section_accepts_json_text_but_not_prose(db: Database) -> None:
    plan = await seed_plan(db)
    risks = plan.risk_mitigation.model_dump(mode="json")
    risks["identified_risks"][0]["severity"] = "critical"

    result = await edit(db, plan.plan_id, UpdateSection(section="risk_mitigation", content=json.dumps(risks)))
    assert result.diff == ["Risk 'Single executive sponsor' is now Critical (was High)"]
    with pytest.raises(BadInput, match="needs structured content"):
        await edit(db, plan.plan_id, UpdateSection(section="risk_mitigation", content="fewer risks please"))
