"""The grounding check: figures, people, quotes and dates in a plan must come from the account's
data - typed, with one-step derivations accepted - and what each rests on is recorded."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from agent.claude.grounding import (
    GroundingFacts,
    check_sections,
    ground_sections,
    grounding_check,
    plan_provenance,
)
from agent.drafter import draft_plan
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.plan_document import SECTIONS, AccountPlanDocument
from tests.fakes.plan_samples import plan_data, sample_context, sample_plan
from tools.analytics.context import gather_planning_context
from tools.analytics.fiscal_calendar import planning_fiscal_year

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
        "Winning the upsell takes ARR to $300,000.",  # ARR plus an opportunity: one step
        "Weighted pipeline: $50K at 70% = $35K.",  # value x probability
        "About $35K of weighted pipeline.",  # rounded and hedged
        "10 idle seats x $2,500 = $25K of ARR sitting unused.",  # a derived count times ARR per seat
        "$285K vs $250K, about 14% growth.",  # a percentage change of figures written beside it
        "Sarah Chen champions the account; the Account Executive owns pricing.",
        "Sarah Chen (VP Product) is our champion; Premium analytics tier is the upsell.",
        "The renewal is on Sep 30, 2026 (271 days away); health 68 today.",
        "In Q3 2026, week 12 of FY2026, review 3 objectives with 2 champions.",  # never figures
        "Bring Sarah Chen into the recurring meetings.",  # a verb before a contact's full name
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
        ("Budget $90 for it.", "$90"),  # 90 is the number of active seats: a count, not dollars
        ("The account has 140 seats.", "140 seats"),
        ("$50K at 70% = $40K.", "$40K"),  # wrong arithmetic with its inputs written out
        ("Sarah Jones is the new sponsor.", "Sarah Jones"),
        ("Our CFO, Tom Reyes, signs the renewal.", "Tom Reyes"),
        ("Dana Whitfield (VP Finance) must approve.", "Dana Whitfield"),
        ("Book a meeting with Priya Nair.", "Priya Nair"),
        ("Bring Sarah Jones into the meetings.", "Sarah Jones"),  # the verb rule excuses only contacts
        ('Sarah Chen said "we will double our seats next year".', "double our seats"),
        ("The renewal is on Oct 31, 2026.", "Oct 31, 2026"),
        ("The account renews in 400 days.", "400 days"),
        ("Health score of 81 is strong.", "81"),
    ],
)
def test_invented_facts_are_named(summary: str, culprit: str) -> None:
    problems = problems_in_summary(summary)
    assert len(problems) == 1 and culprit in problems[0], problems


def test_a_number_is_never_grounded_by_a_fact_of_another_kind() -> None:
    (problem,) = problems_in_summary("Budget $90 for enablement.")
    assert "90 is active seats in the data, a count" in problem
    (problem,) = ground_sections({"executive_summary": "Budget $90 for enablement."}, FACTS).problems
    assert "Money must be a figure from the data (ARR $250K" in problem.hint and "'$50K at 70% = $35K'" in problem.hint


def test_quotes_on_record_pass() -> None:
    context = sample_context(goals="Scale customer success operations across EMEA")
    facts = GroundingFacts.from_context(context)
    quoted = 'In the customer\'s words: "scale customer success operations across EMEA".'
    assert check_sections({"executive_summary": quoted}, facts) == []


def test_a_metric_target_and_interim_values_may_be_new_in_its_own_objective() -> None:
    objectives = copy.deepcopy(plan_data()["strategic_objectives"])  # metric: 55% -> 80% in each
    objectives[1]["success_metrics"][0]["target"] = "85%"
    objectives[1]["objective"] = "Raise feature utilization to 85%"
    objectives[1]["quarterly_milestones"][1]["milestone"] = "Utilization at 70% by the end of Q2"
    assert check_sections({"strategic_objectives": objectives}, FACTS) == []
    objectives[0]["rationale"] = "Peers reach 85%"  # another objective's target is not this one's
    objectives[1]["quarterly_milestones"][2]["milestone"] = "Utilization at 95% by Q3"  # past the target
    assert check_sections({"strategic_objectives": objectives}, FACTS) == [
        "strategic_objectives[0].rationale: 85% is not a percentage in the account data",
        "strategic_objectives[1].quarterly_milestones[2].milestone: 95% is not a percentage in the account data",
    ]


def test_structured_numbers_must_equal_the_data() -> None:
    data = plan_data()
    data["expansion_plan"]["opportunities"][0]["probability"] = 0.9
    data["stakeholder_plan"]["relationship_goals"][0]["current_score"] = 60
    data["benchmark_comparison"]["similar_accounts_success_rate"] = 0.9
    data["action_plan_90day"][0]["owner"] = "Bob Smith"
    data["strategic_objectives"][0]["success_metrics"] = [
        {"metric": "Health score", "current": 74, "target": 80, "measurement": "monthly"}
    ]
    sections = ("expansion_plan", "stakeholder_plan", "benchmark_comparison", "action_plan_90day")
    problems = check_sections({s: data[s] for s in (*sections, "strategic_objectives")}, FACTS)
    assert problems == [
        "expansion_plan.opportunities[0]: value 50,000 with probability 0.90 is not an opportunity in the data "
        "(the data has: 50,000 at 0.70)",
        "stakeholder_plan.relationship_goals[0]: Sarah Chen's relationship score is 78, not 60",
        "benchmark_comparison.similar_accounts_success_rate: must be 0.75 (the data's)",
        "action_plan_90day[0].owner: 'Bob Smith' is not one of the account's contacts",
        "strategic_objectives[0].success_metrics[0].current: the current value 74 of 'Health score' is not in the "
        "account data; use today's value from the data, or null when it is unknown.",
    ]


def test_target_arr_stays_within_the_pipeline() -> None:
    expansion = plan_data()["expansion_plan"] | {"target_arr": 500000}
    assert check_sections({"expansion_plan": expansion}, FACTS) == [
        "expansion_plan.target_arr: 500,000 must lie between the current ARR 250,000 and the current ARR plus "
        "the whole identified pipeline, 300,000"
    ]


def test_edits_are_checked_only_where_they_change_the_plan() -> None:
    before = sample_plan()
    check = grounding_check(FACTS)
    data = before.to_json_dict()
    data["executive_summary"] = "TechCorp is now worth $9M to the business."
    assert check(before, AccountPlanDocument.model_validate(data)) == [
        "executive_summary: $9M is not money in the account data"
    ]
    untouched = before.to_json_dict()
    untouched["risk_mitigation"]["identified_risks"][0]["mitigation"] = "Keep the $250K account multi-threaded"
    assert check(before, AccountPlanDocument.model_validate(untouched)) == []
    teaching = grounding_check(FACTS, teach=True)(before, AccountPlanDocument.model_validate(data))
    assert "if derived, write its inputs" in teaching[0]


def test_provenance_says_what_each_figure_and_person_rests_on() -> None:
    summary = (
        "A $250K account; $50K at 70% = $35K weighted, $300K with the deal won. Sarah Chen leads; "
        "10 idle seats x $2,500 = $25K."
    )
    grounding = ground_sections({"executive_summary": summary}, FACTS)
    assert grounding.problems == []
    provenance = grounding.provenance
    assert provenance['executive_summary:"$250K"'] | {"label": None} == {
        "kind": "record", "source": "customers.arr", "label": None, "value": 250000.0, "text": "$250K"
    }
    assert provenance['executive_summary:"$35K"']["source"] == "expansion.weighted_pipeline"
    assert provenance['executive_summary:"$300K"']["kind"] == "derived"
    assert provenance['executive_summary:"$300K"']["derivation"] == "$250K + $50K"
    assert provenance['executive_summary:"10 idle seats"']["derivation"] == "100 - 90"
    assert provenance['executive_summary:"$25K"']["derivation"] == "10 idle seats x $2,500"
    assert provenance['executive_summary:"Sarah Chen"']["source"] == "contacts[c-sarah]"


async def techcorp_facts(tmp_path: Path) -> tuple[GroundingFacts, AccountPlanDocument]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    await database.ensure_schema()
    today = date.today()
    await seed_demo_portfolio(database, accounts=40, as_of=today)
    fiscal_year = planning_fiscal_year(today, 1)
    async with database.session() as session:
        context = await gather_planning_context(session, TECHCORP_ID, today, fiscal_year=fiscal_year)
    await database.dispose()
    baseline = draft_plan(context, fiscal_year)
    return GroundingFacts.from_context(context).with_document(baseline), baseline


# Records that are never money or a percentage themselves: weights, score components, counts, days.
NOT_A_FIGURE = ("relationship weights", "relationship.", "renewal_date", "contacts", "interactions", "seats_")


async def test_techcorp_1_to_100_as_percentages_and_money(tmp_path: Path) -> None:
    """Every whole number 1-100 written as a percentage and as money for the demo TechCorp plan:
    what passes is a real percentage or amount (printed with what it rests on); no scoring weight,
    day count or count makes one pass."""
    facts, _ = await techcorp_facts(tmp_path)
    passing: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for form in ("{}%", "${}", "${}K"):
        passing[form] = []
        for number in range(1, 101):
            written = form.format(number)
            grounding = ground_sections({"executive_summary": f"The figure is {written} here."}, facts)
            if not grounding.problems:
                passing[form].append((number, next(iter(grounding.provenance.values()))))
    for form, rows in passing.items():
        print(f"\n{form}: {len(rows)} of 100 pass")
        for number, entry in rows:
            print(f"  {form.format(number):>6}  {entry['kind']:8} {entry.get('derivation') or entry['label']}  [{entry['source']}]")
    assert passing["${}"] == []  # no amount under $101 exists for a $250K account
    for form, rows in passing.items():
        for number, entry in rows:
            if entry["kind"] == "record":  # a money or percentage record, or one written with $ or %
                assert not any(word in str(entry["source"]) for word in NOT_A_FIGURE), (form, number, entry)
            else:  # a real computation: a share, a change, a weighted value, a sum or difference of money
                assert entry["kind"] in ("derived", "target"), entry
                assert any(op in str(entry["derivation"]) for op in (" / ", " x ", " + ", " - ")), entry
    percents = {number for number, _ in passing["{}%"]}
    assert {55, 70, 50}.issubset(percents)  # utilization, the two probabilities
    assert len(percents) < 40  # typed pools: the old loose pool let ~60 of 100 through
    money_k = {number for number, _ in passing["${}K"]}
    assert {35, 25, 50}.issubset(money_k)  # $50K at 70%, $50K at 50%, the deals


async def test_an_offline_plan_is_traced_to_its_sources(tmp_path: Path) -> None:
    facts, baseline = await techcorp_facts(tmp_path)
    provenance = plan_provenance(baseline, facts)
    assert provenance["expansion_plan.current_arr"]["source"] == "customers.arr"
    assert provenance["stakeholder_plan.current_map[0].relationship_score"]["source"].startswith("contacts[")
    assert provenance['executive_summary:"$250K"']["source"] == "customers.arr"
    assert all(entry["kind"] in ("record", "derived", "target", "plan") for entry in provenance.values())
    traced = {key.split(":")[0] for key in provenance}
    assert {"executive_summary", "expansion_plan.target_arr"} <= traced
    data = baseline.to_json_dict()
    untraced = ground_sections({s: data[s] for s in SECTIONS}, facts.with_document(baseline, texts=False)).problems
    assert untraced == []
