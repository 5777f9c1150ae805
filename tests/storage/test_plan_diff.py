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

    assert changed(mutate) == ["Objective 2: priority 'high' -> 'critical'"]


def test_milestones_swapped_between_quarters_read_as_moves() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        milestones = d["strategic_objectives"][0]["quarterly_milestones"]
        milestones[1]["quarter"], milestones[2]["quarter"] = "Q3", "Q2"

    assert changed(mutate) == [
        "Objective 1: Q3 milestone moved from Q2: CFO value review",
        "Objective 1: Q2 milestone moved from Q3: Joint exec planning session",
    ]


def test_reworded_milestone_is_one_line_not_add_and_remove() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["strategic_objectives"][0]["quarterly_milestones"][3]["milestone"] = "Multi-year renewal signed"

    assert changed(mutate) == [
        "Objective 1: Q4 milestone 'Renewal approval secured' -> 'Multi-year renewal signed'"
    ]


def test_objective_added_and_removed() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        extra = copy.deepcopy(d["strategic_objectives"][0])
        extra.update(id="obj-4", objective="Launch an admin training program", priority="medium")
        d["strategic_objectives"].append(extra)
        del d["strategic_objectives"][2]

    assert changed(mutate) == [
        "Objective 4 added: Launch an admin training program (medium)",
        "Objective 3 removed: Secure a multi-year renewal",
    ]


def test_money_and_probability_are_formatted() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["expansion_plan"]["target_arr"] = 350000
        d["expansion_plan"]["opportunities"][0]["probability"] = 0.5

    assert changed(mutate) == [
        "Expansion: target ARR $300,000 -> $350,000",
        "Expansion: opportunity 'Premium analytics tier': probability 70% -> 50%",
    ]


def test_action_marked_done_and_risk_added() -> None:
    def mutate(d):  # type: ignore[no-untyped-def]
        d["action_plan_90day"][0]["status"] = "done"
        d["risk_mitigation"]["identified_risks"].append(
            {"risk": "Budget freeze", "severity": "medium", "mitigation": "ROI review", "owner": "CSM"}
        )

    assert changed(mutate) == [
        "Risks: risk added: Budget freeze",
        "90-day plan: action 'Request intro to CTO from Sarah' marked done",
    ]


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
        "Status: draft -> pending_review",
        "Executive summary rewritten",
        "Business context: customer goals rewritten",
    ]
