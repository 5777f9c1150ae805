"""The grounding check: figures and people in a plan must come from the account's data."""

from __future__ import annotations

import copy

import pytest

from agent.claude.grounding import GroundingFacts, check_sections, grounding_check
from storage.plan_document import AccountPlanDocument
from tests.fakes.plan_samples import plan_data, sample_context, sample_plan

FACTS = GroundingFacts.from_context(sample_context())


def problems_in_summary(summary: str) -> list[str]:
    return check_sections({"executive_summary": summary}, FACTS)


@pytest.mark.parametrize(
    "summary",
    [
        "TechCorp is a $250K account.",
        "TechCorp is a $250,000 account.",
        "TechCorp is a $0.25M account with a $50K upsell at 70% likelihood.",
        "Utilization is 55% and 90% of seats are active; peers succeed 75% of the time.",
        "Winning the upsell takes ARR to $300,000.",  # ARR plus a candidate's value
        "Sarah Chen champions the account; the Account Executive owns pricing.",
    ],
)
def test_figures_and_names_from_the_data_pass(summary: str) -> None:
    assert problems_in_summary(summary) == []


@pytest.mark.parametrize(
    ("summary", "culprit"),
    [
        ("TechCorp is a $260K account.", "$260K"),
        ("TechCorp is a $1.2M account.", "$1.2M"),
        ("Utilization is 56%.", "56%"),
        ("Adoption will reach 95 percent.", "95 percent"),
        ("Sarah Jones is the new sponsor.", "Sarah Jones"),
    ],
)
def test_invented_figures_and_people_are_named(summary: str, culprit: str) -> None:
    problems = problems_in_summary(summary)
    assert len(problems) == 1 and culprit in problems[0]


def test_a_metric_target_may_be_new_and_its_objective_may_repeat_it() -> None:
    objectives = copy.deepcopy(plan_data()["strategic_objectives"])
    objectives[1]["success_metrics"][0]["target"] = "85%"
    objectives[1]["objective"] = "Raise feature utilization to 85%"
    assert check_sections({"strategic_objectives": objectives}, FACTS) == []
    objectives[0]["rationale"] = "Peers reach 85%"  # another objective's target is not this one's
    problems = check_sections({"strategic_objectives": objectives}, FACTS)
    assert problems == [
        "strategic_objectives[0].rationale: 85% is not a percentage from the account data "
        "(quote the data; put goals in a success metric's target)"
    ]


def test_structured_numbers_must_equal_the_data() -> None:
    data = plan_data()
    data["expansion_plan"]["opportunities"][0]["probability"] = 0.9
    data["stakeholder_plan"]["relationship_goals"][0]["current_score"] = 60
    data["benchmark_comparison"]["similar_accounts_success_rate"] = 0.9
    data["action_plan_90day"][0]["owner"] = "Bob Smith"
    sections = ("expansion_plan", "stakeholder_plan", "benchmark_comparison", "action_plan_90day")
    problems = check_sections({s: data[s] for s in sections}, FACTS)
    assert problems == [
        "expansion_plan.opportunities[0]: value 50,000 with probability 0.90 is not an opportunity in the data "
        "(the data has: 50,000 at 0.70)",
        "stakeholder_plan.relationship_goals entry 1: Sarah Chen's relationship score is 78, not 60",
        "benchmark_comparison.similar_accounts_success_rate must be 0.75 (the data's)",
        "action_plan_90day[0].owner: 'Bob Smith' is not one of the account's contacts (use a contact or a role)",
    ]


def test_target_arr_stays_within_the_pipeline() -> None:
    expansion = plan_data()["expansion_plan"] | {"target_arr": 500000}
    assert check_sections({"expansion_plan": expansion}, FACTS) == [
        "expansion_plan.target_arr 500,000 must lie between the current ARR 250,000 and the current ARR plus "
        "the whole identified pipeline, 300,000"
    ]


def test_edits_are_checked_only_where_they_change_the_plan() -> None:
    before = sample_plan()
    check = grounding_check(FACTS)
    data = before.to_json_dict()
    data["executive_summary"] = "TechCorp is now worth $9M to the business."
    assert check(before, AccountPlanDocument.model_validate(data)) == [
        "executive_summary: $9M is not a figure from the account data (quote the data's figures; put goals in a "
        "success metric's target)"
    ]
    untouched = before.to_json_dict()
    untouched["risk_mitigation"]["identified_risks"][0]["mitigation"] = (
        "Keep the $250K account multi-threaded"
    )
    assert check(before, AccountPlanDocument.model_validate(untouched)) == []
