"""The short change lines people read in approvals, proposals and revision replies."""

from __future__ import annotations

import copy

from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from tests.fakes.plan_samples import plan_data, sample_plan


def changed(mutate) -> list[str]:  # type: ignore[no-untyped-def]
    data = plan_data()
    new = copy.deepcopy(data)
    mutate(new)
    return diff_plans(AccountPlanDocument.model_validate(data), AccountPlanDocument.model_validate(new))


def test_identical_plans_have_no_diff() -> None:
    assert diff_plans(sample_plan(), sample_plan()) == []


def test_priority_change_names_the_objective() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["strategic_objectives"][1]["priority"] = "critical"

    assert changed(mutate) == ["Objective 2 is now Critical (was High)"]


def test_milestones_swapped_between_quarters_read_as_moves() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        milestones = d["strategic_objectives"][0]["quarterly_milestones"]
        milestones[1]["quarter"], milestones[2]["quarter"] = "Q3", "Q2"

    assert changed(mutate) == [
        "Objective 1: moved 'CFO value review' from Q2 to Q3",
        "Objective 1: moved 'Joint exec planning session' from Q3 to Q2",
    ]


def test_reworded_milestone_is_one_line_not_add_and_remove() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["strategic_objectives"][0]["quarterly_milestones"][3]["milestone"] = "Multi-year renewal signed"

    assert changed(mutate) == [
        "Objective 1: Q4 milestone now reads 'Multi-year renewal signed' (was 'Renewal approval secured')"
    ]


def test_objective_added_and_removed() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        extra = copy.deepcopy(d["strategic_objectives"][0])
        extra.update(id="obj-4", objective="Launch an admin training program", priority="medium")
        d["strategic_objectives"].append(extra)
        del d["strategic_objectives"][2]

    assert changed(mutate) == [
        "Removed objective 3: 'Secure a multi-year renewal'",
        "Added objective 4: 'Launch an admin training program' (Medium)",
    ]


def test_a_removal_with_renumbering_is_one_removal_not_rewrites() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        del d["strategic_objectives"][0]
        extra = copy.deepcopy(d["strategic_objectives"][0])
        extra.update(objective="Launch an admin training program")
        d["strategic_objectives"].append(extra)
        for number, objective in enumerate(d["strategic_objectives"], start=1):
            objective["id"] = f"obj-{number}"
        d["action_plan_90day"][0]["objective_id"] = "obj-1"

    data = plan_data()
    data["action_plan_90day"][0]["objective_id"] = "obj-2"
    new = copy.deepcopy(data)
    mutate(new)
    assert diff_plans(AccountPlanDocument.model_validate(data), AccountPlanDocument.model_validate(new)) == [
        "Removed objective 1: 'Expand executive engagement to multi-level'",
        "Objectives renumbered: 2 is now 1, 3 is now 2",
        "Added objective 3: 'Launch an admin training program' (High)",
    ]  # the action's link followed the renumbering: not a change worth a line


def test_money_and_probability_are_formatted() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["expansion_plan"]["target_arr"] = 350000
        d["expansion_plan"]["opportunities"][0]["probability"] = 0.5

    assert changed(mutate) == [
        "Target ARR is now $350,000 (was $300,000)",
        "Opportunity 'Premium analytics tier': probability 50% (was 70%)",
    ]


def test_action_marked_done_and_risk_added() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["action_plan_90day"][0]["status"] = "done"
        d["risk_mitigation"]["identified_risks"].append(
            {"risk": "Budget freeze", "severity": "medium", "mitigation": "ROI review", "owner": "CSM"}
        )

    assert changed(mutate) == [
        "Added risk 'Budget freeze' (Medium)",
        "Action 'Request intro to CTO from Sarah' marked done",
    ]


def test_actions_qbrs_and_targets_read_as_a_csm_says_them() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        action = d["action_plan_90day"][0]
        action.update(owner="Sarah Chen", week=action["week"] + 2, due_date="2026-01-23", status="snoozed")
        d["qbr_schedule"][0]["date"] = "2026-03-05"
        d["qbr_schedule"][0]["attendees"].append("Marcus Webb")
        d["stakeholder_plan"]["multi_threading_target"] = 6
        d["strategic_objectives"][1]["success_metrics"][0]["target"] = "85%"
        d["strategic_objectives"][2]["owner"] = "Both"

    lines = changed(mutate)
    assert "Objective 2: target for 'Feature utilization' is now 85% (was 80%)" in lines
    assert "Objective 3 is now owned by the CSM and the customer (was the CSM)" in lines
    assert "Multi-threading target is now 6 engaged contacts (was 4)" in lines
    assert "Q1 QBR moved from Feb 15, 2026 to Mar 5, 2026" in lines
    assert "Q1 QBR: Marcus Webb added to the attendees" in lines
    assert "Action 'Request intro to CTO from Sarah' snoozed" in lines
    assert "Action 'Request intro to CTO from Sarah' reassigned to Sarah Chen (was CSM)" in lines
    assert "Action 'Request intro to CTO from Sarah' moved to week 3, due Jan 23, 2026 (was week 1)" in lines


def test_reordering_a_list_is_not_a_change() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["action_plan_90day"].reverse()
        d["strategic_objectives"][0]["quarterly_milestones"].reverse()

    assert changed(mutate) == []


def test_prose_and_status_changes() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["status"] = "pending_review"
        d["executive_summary"] = "A different summary of the whole account."
        d["business_context"]["customer_goals"] = "Cut support costs."

    assert changed(mutate) == [
        "Status is now Pending review (was Draft)",
        "Executive summary updated",
        "Business context: customer goals rewritten",
    ]
