"""Plan edits: each is validated, grounded, saved as one revision with its diff, or not at all."""

from __future__ import annotations

import json
from datetime import date

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
    EditMetric,
    EditMilestone,
    EditObjective,
    EditQbrAttendees,
    MergeRisks,
    PlanEditRejected,
    ReassignActions,
    RemoveObjective,
    RescheduleQbr,
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


# --- the cascades every editor shares (offline parser, Claude's tools, forms) -------------------------


def _plan(**overrides):  # type: ignore[no-untyped-def]
    from tests.fakes.plan_samples import plan_data

    data = plan_data(**overrides)
    data["plan_id"] = "p-1"
    return AccountPlanDocument.model_validate(data)


def _five_objectives():  # type: ignore[no-untyped-def]
    from tests.fakes.plan_samples import objective, plan_data

    objectives = [
        objective(1, "critical", "Secure the renewal by Sep 30"),
        objective(2, "high", "Expand executive engagement"),
        objective(3, "high", "Increase adoption to 70% feature utilization"),
        objective(4, "medium", "Document business outcomes"),
        objective(5, "medium", "Qualify the next expansion opportunity"),
    ]
    objectives[2]["success_metrics"][0]["target"] = "70%"
    objectives[2]["quarterly_milestones"][3]["milestone"] = "70% utilization sustained for a month"
    actions = plan_data()["action_plan_90day"] + [
        {"week": 4, "action": "Scope the expansion use case", "owner": "CSM", "due_date": "2026-01-30", "objective_id": "obj-5"},
        {"week": 13, "action": "Q1 milestone due: Intro meeting with CTO", "owner": "CSM", "due_date": "2026-04-03", "objective_id": "obj-4"},
        {"week": 6, "action": "Prepare the Q1 QBR deck", "owner": "CSM", "due_date": "2026-02-13"},
        {"week": 7, "action": "Hold the Q1 QBR on Feb 15, 2026", "owner": "Both", "due_date": "2026-02-20"},
    ]
    summary = (
        "TechCorp Industries is a $250,000 account. FY2026 priorities: secure the renewal by Sep 30; "
        "document business outcomes; qualify the next expansion opportunity. Target ARR $300K."
    )
    return _plan(
        strategic_objectives=objectives,
        action_plan_90day=actions,
        executive_summary=summary,
        generation_context={"provenance": {"strategic_objectives[3].success_metrics[0].target": {"kind": "record"},
                                           "strategic_objectives[4].objective": {"kind": "derived"},
                                           "expansion_plan.target_arr": {"kind": "derived"}}},
    )  # fmt: skip


def test_removing_an_objective_renumbers_unlinks_drops_reminders_and_updates_the_summary() -> None:
    applied = apply_edits_noted(_five_objectives(), [RemoveObjective(objective_id="obj-4")])
    document = applied.document
    assert [o.id for o in document.strategic_objectives] == ["obj-1", "obj-2", "obj-3", "obj-4"]
    assert document.strategic_objectives[3].objective == "Qualify the next expansion opportunity"
    scope = next(a for a in document.action_plan_90day if a.action == "Scope the expansion use case")
    assert scope.objective_id == "obj-4"  # followed the renumbering
    assert not any("Q1 milestone due" in a.action for a in document.action_plan_90day)
    assert document.executive_summary == (
        "TechCorp Industries is a $250,000 account. FY2026 priorities: secure the renewal by Sep 30; "
        "qualify the next expansion opportunity. Target ARR $300K."
    )
    assert applied.notes == ["Its milestone reminder left the 90-day plan.", "The executive summary no longer lists it."]
    assert document.generation_context["provenance"] == {
        "strategic_objectives[3].objective": {"kind": "derived"},
        "expansion_plan.target_arr": {"kind": "derived"},
    }
    last = apply_edits_noted(document, [RemoveObjective(objective_id="obj-4")]).document
    assert last.executive_summary.endswith("FY2026 priorities: secure the renewal by Sep 30. Target ARR $300K.")


def test_the_objective_cap_is_explained() -> None:
    add = AddObjective.model_validate(
        _five_objectives().strategic_objectives[0].model_dump(mode="json", exclude={"id"}) | {"objective": "Training"}
    )
    with pytest.raises(BadInput, match="already has 5 objectives, the most a plan holds; remove or replace one first"):
        apply_edits_noted(_five_objectives(), [add])


def test_a_new_target_follows_into_the_objective_wording() -> None:
    applied = apply_edits_noted(
        _five_objectives(), [EditMetric(objective_id="3", metric="feature utilization", target="80%")]
    )
    objective = applied.document.strategic_objectives[2]
    assert objective.objective == "Increase adoption to 80% feature utilization"
    assert objective.quarterly_milestones[3].milestone == "80% utilization sustained for a month"


def test_rescheduling_a_qbr_moves_its_prep_and_meeting_actions() -> None:
    applied = apply_edits_noted(_five_objectives(), [RescheduleQbr(quarter="Q1", date=date(2026, 3, 5))])
    actions = {a.action: a for a in applied.document.action_plan_90day}
    assert (actions["Prepare the Q1 QBR deck"].due_date, actions["Prepare the Q1 QBR deck"].week) == (date(2026, 3, 3), 9)
    held = actions["Hold the Q1 QBR on Mar 5, 2026"]
    assert (held.due_date, held.week) == (date(2026, 3, 10), 10)
    assert applied.notes == ["Its 2 related actions in the 90-day plan moved with it."]
    moved = apply_edits_noted(_five_objectives(), [RescheduleQbr(quarter="Q1", date=date(2026, 4, 8))])
    assert moved.document.qbr_schedule[0].quarter == "Q2"
    assert "now the Q2 QBR" in moved.notes[0]
    with pytest.raises(BadInput, match="outside FY2026"):
        apply_edits_noted(_five_objectives(), [RescheduleQbr(quarter="Q1", date=date(2027, 3, 5))])


def test_qbr_attendees_are_contacts_on_record_or_roles() -> None:
    plan = _five_objectives()
    applied = apply_edits_noted(plan, [EditQbrAttendees(quarter="Q1", add=["Account Executive"], remove=["sarah"])])
    assert applied.document.qbr_schedule[0].attendees == ["Account Executive"]
    with pytest.raises(BadInput, match="John Smith is not one of TechCorp Industries' contacts on record"):
        apply_edits_noted(plan, [EditQbrAttendees(quarter="Q1", add=["John Smith"])])


def test_merging_risks_keeps_the_highest_severity_and_every_mitigation() -> None:
    risks = {
        "identified_risks": [
            {"risk": "Single-threaded relationship", "severity": "medium", "mitigation": "Ask Sarah for intros", "owner": "CSM"},
            {"risk": "Budget freeze", "severity": "low", "mitigation": "ROI review", "owner": "CSM"},
            {"risk": "Single-threaded: no exec sponsor", "severity": "high", "mitigation": "Exec briefing", "owner": "AE"},
        ]
    }
    applied = apply_edits_noted(_plan(risk_mitigation=risks), [MergeRisks(numbers=[1, 3])])
    merged = applied.document.risk_mitigation.identified_risks
    assert [r.risk for r in merged] == ["Single-threaded relationship", "Budget freeze"]
    assert merged[0].severity == "high" and merged[0].mitigation == "Ask Sarah for intros. Exec briefing"


def test_reassigning_a_week_and_moving_an_action_keep_week_and_due_date_together() -> None:
    plan = _five_objectives()
    applied = apply_edits_noted(plan, [ReassignActions(week=7, owner="Sarah Chen"), EditAction(number=1, week=3)])
    actions = applied.document.action_plan_90day
    assert [a.owner for a in actions if a.week == 7] == ["Sarah Chen"]
    assert (actions[0].week, actions[0].due_date) == (3, date(2026, 1, 23))
    with pytest.raises(BadInput, match="no open actions week 5; it has actions in weeks 1, 2, 4, 6, 7, 13"):
        apply_edits_noted(plan, [ReassignActions(week=5, owner="CSM")])
