"""The offline drafter on recognisable accounts: the substance a CSM would check first."""

from __future__ import annotations

from datetime import date

from agent.drafter import draft_plan
from storage.plan_document import AccountPlanDocument
from tests.agent import context_factory as accounts

FY = "FY2026"


def objectives_text(plan: AccountPlanDocument) -> list[str]:
    return [o.objective.lower() for o in plan.strategic_objectives]


def test_techcorp_plan_is_grounded_in_its_numbers() -> None:
    plan = draft_plan(accounts.techcorp(), FY)

    assert plan.customer_name == "TechCorp Industries"
    assert plan.status == "draft"
    assert "$250K" in plan.executive_summary and "health 68" in plan.executive_summary
    assert "55% feature utilization" in plan.executive_summary
    adoption = next(o for o in plan.strategic_objectives if "adoption" in o.objective.lower())
    utilization = next(m for m in adoption.success_metrics if m.metric == "Feature utilization")
    assert utilization.current == "55%"
    # Successful peers average 74%: the target reaches for them, rounded.
    assert utilization.target == "75%"
    assert plan.expansion_plan.current_arr == 250000
    premium = next(o for o in plan.expansion_plan.opportunities if o.description == "Premium analytics tier")
    assert (premium.value, premium.probability, premium.timeline) == (50000, 0.7, "Q2")


def test_target_arr_is_current_plus_risk_adjusted_weighted_pipeline() -> None:
    # A stable account whose only risk is a coverage signal is on track: the whole weighted
    # pipeline counts (50K*0.7 + 50K*0.5 = 60K) and its growth objective stays.
    stable = draft_plan(accounts.techcorp(), FY)
    assert stable.generation_context["situation"]["risk_level"] == "on_track"
    assert stable.expansion_plan.target_arr == 250000 + 60000
    assert any(o.objective == "Grow ARR from $250K to $310K" for o in stable.strategic_objectives)

    # On watch (a competitive evaluation on record): 85% of it, growth still pursued.
    watched = draft_plan(accounts.techcorp_on_watch(), FY)
    assert watched.generation_context["situation"]["risk_level"] == "watch"
    assert watched.expansion_plan.target_arr == 250000 + round(60000 * 0.85 / 1000) * 1000
    assert any(o.objective.startswith("Grow ARR") for o in watched.strategic_objectives)


def test_at_risk_account_puts_retention_first_and_pushes_no_growth() -> None:
    plan = draft_plan(accounts.at_risk(), FY)

    first = plan.strategic_objectives[0]
    assert first.priority == "critical"
    assert "renewal" in first.objective.lower()
    assert "health from 38" in first.objective
    assert not any(text.startswith("grow arr") for text in objectives_text(plan))
    assert not any("expansion opportunit" in text for text in objectives_text(plan))
    # Renewal 75 days out on an at-risk account: protect the base, no growth target.
    assert plan.expansion_plan.target_arr == plan.expansion_plan.current_arr == 250000
    assert "No expansion target" in plan.executive_summary
    assert all("on hold" in o.description for o in plan.expansion_plan.opportunities)


def test_at_risk_account_replaces_the_departed_champion_with_people_on_record() -> None:
    context = accounts.at_risk()
    plan = draft_plan(context, FY)

    assert "win a new champion after sarah chen left" in objectives_text(plan)
    departed = next(entry for entry in plan.stakeholder_plan.current_map if entry.name == "Sarah Chen")
    assert departed.active is False
    # No relationship goal for someone who left.
    assert "Sarah Chen" not in {goal.name for goal in plan.stakeholder_plan.relationship_goals}
    severities = [r.severity for r in plan.risk_mitigation.identified_risks]
    assert severities[0] == "critical"
    assert all(r.mitigation and r.owner for r in plan.risk_mitigation.identified_risks)
    # The most urgent risk is the first thing done: a risk review on the falling health.
    week_one = [a.action for a in plan.action_plan_90day if a.week == 1]
    assert any(action.startswith("Risk review") and "health" in action for action in week_one)
    assert plan.resource_plan.csm_hours_per_month == 40  # enterprise 20 h, doubled at critical risk


def test_expansion_ready_account_gets_a_growth_objective_and_no_adoption_push() -> None:
    plan = draft_plan(accounts.expansion_ready(), FY)

    texts = objectives_text(plan)
    assert any(text.startswith("grow arr from $250k to $310k") for text in texts)
    # Utilization is already 82%: an adoption objective would contradict the data.
    assert not any("adoption" in text for text in texts)
    assert plan.expansion_plan.target_arr == 310000  # no open risk: the full weighted pipeline
    growth = next(o for o in plan.strategic_objectives if o.objective.startswith("Grow ARR"))
    assert growth.quarterly_milestones[1].milestone == "Close \u201cPremium analytics tier\u201d ($50K)"


def test_onboarding_account_gets_an_onboarding_objective_with_real_seat_numbers() -> None:
    plan = draft_plan(accounts.onboarding(), FY)

    onboarding = next(o for o in plan.strategic_objectives if "onboarding" in o.objective.lower())
    assert onboarding.priority == "high"
    seats = next(m for m in onboarding.success_metrics if m.metric == "Active seats")
    assert (seats.current, seats.target) == (60, 170)
    utilization = next(m for m in onboarding.success_metrics if m.metric == "Feature utilization")
    assert utilization.current == "22%"
    assert not any("expansion" in text for text in objectives_text(plan))


def test_single_threaded_account_gets_multi_threading_through_its_champion() -> None:
    plan = draft_plan(accounts.single_threaded(), FY)

    executive = next(o for o in plan.strategic_objectives if "single-threaded" in o.objective)
    assert "Sarah Chen" in executive.rationale
    week_one = [a.action for a in plan.action_plan_90day if a.week == 1 and a.objective_id == executive.id]
    assert "Ask Sarah Chen to introduce the executive sponsor (VP+) and economic buyer" in week_one
    assert plan.stakeholder_plan.multi_threading_target >= 2
    assert "Sarah Chen" in plan.stakeholder_plan.exec_sponsor_strategy
    assert "single-threaded through Sarah Chen" in plan.executive_summary


def test_almost_no_data_states_the_gaps_instead_of_inventing_anything() -> None:
    context = accounts.almost_no_data()
    plan = draft_plan(context, FY)

    assert plan.stakeholder_plan.current_map == []
    assert plan.stakeholder_plan.relationship_goals == []
    assert "no ARR on record" in plan.executive_summary
    gaps = plan.generation_context["data_gaps"]
    assert gaps[: len(context.data_gaps)] == context.data_gaps  # the analytics' own, first
    assert "no customer goals on record" in gaps  # and what the drafter found missing on top
    assert "no customer goals on record" in plan.executive_summary
    assert any("data gaps" in text for text in objectives_text(plan))
    assert plan.benchmark_comparison.similar_accounts_success_rate is None
    assert plan.expansion_plan.target_arr == 0
    assert plan.ai_confidence < 0.3
    assert "No customer goals on record" in plan.business_context.customer_goals
    # Every name anywhere in the plan comes from the data: there is none here.
    attendees = {name for qbr in plan.qbr_schedule for name in qbr.attendees}
    assert attendees == {"CSM"}


def test_stakeholder_plan_names_only_real_contacts() -> None:
    context = accounts.techcorp()
    plan = draft_plan(context, FY)
    on_record = {c.name for c in context.contacts}

    assert {e.name for e in plan.stakeholder_plan.current_map} == on_record
    assert {g.name for g in plan.stakeholder_plan.relationship_goals} <= on_record
    assert all(g.target_score > g.current_score for g in plan.stakeholder_plan.relationship_goals)
    sarah = next(g for g in plan.stakeholder_plan.relationship_goals if g.name == "Sarah Chen")
    assert (sarah.current_score, sarah.target_score) == (78, 90)
    for qbr in plan.qbr_schedule:
        assert {a for a in qbr.attendees if not a.startswith("CSM")} <= on_record


def test_ninety_day_plan_is_dated_from_the_plan_start_and_tied_to_objectives() -> None:
    plan = draft_plan(accounts.techcorp(), FY)
    start = accounts.AS_OF  # within FY2026, so the plan starts on as_of

    weeks = [a.week for a in plan.action_plan_90day]
    assert weeks == sorted(weeks) and min(weeks) == 1 and max(weeks) == 13
    for action in plan.action_plan_90day:
        # Due by the end of its week; an event (a QBR, the renewal) is due on its own date.
        assert (action.week - 1) * 7 <= (action.due_date - start).days <= action.week * 7 - 1
    objective_ids = {o.id for o in plan.strategic_objectives}
    linked = {a.objective_id for a in plan.action_plan_90day if a.objective_id}
    assert linked == objective_ids


def test_planning_ahead_starts_the_plan_on_the_fiscal_year_start() -> None:
    context = accounts.techcorp()
    plan = draft_plan(context, "FY2027")

    assert plan.action_plan_90day[0].due_date == date(2027, 1, 7)
    assert all(qbr.date.year == 2027 for qbr in plan.qbr_schedule)


def test_plan_made_late_in_the_year_schedules_no_work_in_past_quarters() -> None:
    context = accounts.techcorp().model_copy(update={"as_of": date(2026, 11, 20)})
    plan = draft_plan(context, FY)

    for objective in plan.strategic_objectives:
        by_quarter = {m.quarter: m.milestone for m in objective.quarterly_milestones}
        assert [by_quarter[q] for q in ("Q1", "Q2", "Q3")] == [
            f"{q} ended before this plan began" for q in ("Q1", "Q2", "Q3")
        ]
        assert not by_quarter["Q4"].endswith("ended before this plan began")
    assert plan.action_plan_90day[0].due_date >= date(2026, 11, 20)


def test_benchmark_comes_from_similar_accounts() -> None:
    plan = draft_plan(accounts.techcorp(), FY)
    benchmark = plan.benchmark_comparison

    assert benchmark.similar_accounts_success_rate == 0.75
    # Every account behind the rate is listed, so "75% of 8" can be checked against the list.
    assert len(benchmark.similar_accounts) == 8
    assert sum(a.succeeded for a in benchmark.similar_accounts) / 8 == 0.75
    assert benchmark.similar_accounts[0].similarity >= benchmark.similar_accounts[-1].similarity
    assert "75% of 8 comparable accounts" in benchmark.key_differentiators
    assert any("VP+" in element for element in benchmark.missing_elements)


def test_draft_section_names_the_accepted_sections_for_an_unknown_one() -> None:
    import pytest

    from agent.drafter import draft_section
    from storage.errors import BadInput

    with pytest.raises(BadInput, match="accepted: executive_summary, business_context"):
        draft_section("roadmap", accounts.techcorp(), FY)


def test_pipeline_closing_after_the_year_or_renewals_add_nothing_to_target_arr() -> None:
    context = accounts.expansion_ready()
    later = accounts.candidate("Platform add-on", 80000, 0.9, None).model_copy(
        update={"expected_close": date(2027, 3, 1)}
    )
    renewal = accounts.candidate("Renewal uplift", 250000, 0.9, "Q3", "renewal")
    context = context.model_copy(
        update={"expansion": context.expansion.model_copy(update={"candidates": [later, renewal]})}
    )

    plan = draft_plan(context, FY)

    timelines = {o.description: o.timeline for o in plan.expansion_plan.opportunities}
    assert timelines["Platform add-on"] == "after FY2026 (Mar 1, 2027)"
    assert timelines["Renewal uplift"] == "Q3"
    assert plan.expansion_plan.target_arr == plan.expansion_plan.current_arr
    assert not any(o.objective.startswith("Grow ARR") for o in plan.strategic_objectives)
    assert "No ARR growth counted this year: 1 opportunity worth $80K closes after FY2026." in plan.executive_summary


def test_targets_shrink_to_what_the_rest_of_the_year_allows() -> None:
    early = draft_plan(accounts.single_threaded(), FY)
    late = draft_plan(accounts.single_threaded().model_copy(update={"as_of": date(2026, 11, 2)}), FY)

    def target(plan: AccountPlanDocument, metric: str) -> object:
        return next(
            m.target for o in plan.strategic_objectives for m in o.success_metrics if m.metric == metric
        )

    assert (target(early, "Executive sponsors engaged"), target(late, "Executive sponsors engaged")) == (2, 1)
    assert (
        target(early, "Health score") == 84 and target(late, "Health score") == 76
    )  # +10 a year, a quarter of it
