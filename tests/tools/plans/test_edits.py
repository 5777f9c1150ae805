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
    AddAction,
    AddObjective,
    AddRisk,
    EditAction,
    EditMilestone,
    EditObjective,
    PlanEditRejected,
    RemoveObjective,
    UpdateSection,
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
    assert result.diff == ["Objective 2: priority 'high' -> 'critical'"]
    async with db.session() as session:
        stored = await read_plan(session, plan.plan_id)
        revision = (await session.execute(select(PlanRevision).where(PlanRevision.version == 2))).scalar_one()
        audit = (await session.execute(select(AuditEvent).where(AuditEvent.version == 2))).scalar_one()
    assert stored.strategic_objectives[1].priority == "critical"
    assert revision.diff == "Objective 2: priority 'high' -> 'critical'"
    assert audit.action == "revised" and audit.actor == "csm@example.com"


async def test_moving_the_only_milestone_swaps_quarters_so_the_year_stays_covered(db: Database) -> None:
    plan = await seed_plan(db)
    result = await edit(db, plan.plan_id, EditMilestone(objective_id="obj-1", match="CFO", move_to="Q3"))
    assert result.diff == [
        "Objective 1: Q3 milestone moved from Q2: CFO value review",
        "Objective 1: Q2 milestone moved from Q3: Joint exec planning session",
    ]


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
    assert "90-day plan: action 'Request intro to CTO from Sarah' marked done" in result.diff
    assert "Risks: risk added: Budget freeze" in result.diff


async def test_invalid_result_is_rejected_and_nothing_is_saved(db: Database) -> None:
    plan = await seed_plan(db)
    with pytest.raises(PlanEditRejected) as caught:
        await edit(db, plan.plan_id, UpdateSection(section="strategic_objectives", content=[]))
    assert "strategic_objectives" in caught.value.message
    with pytest.raises(BadInput, match="at least 3 objectives"):
        await edit(db, plan.plan_id, RemoveObjective(objective_id="obj-1"))
    with pytest.raises(BadInput, match="no objective obj-9; it has obj-1, obj-2, obj-3"):
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
        "Objective 3 removed: Secure a multi-year renewal",
        "90-day plan: action 'Book training': objective id 'obj-3' -> none",
    ]
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
    assert result.diff == ["Risks: risk 'Single executive sponsor': severity 'high' -> 'critical'"]
    with pytest.raises(BadInput, match="needs structured content"):
        await edit(db, plan.plan_id, UpdateSection(section="risk_mitigation", content="fewer risks please"))
