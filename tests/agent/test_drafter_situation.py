"""The drafter reads the situation before it writes: stage, risk level, one risk per cause, the
customer's words as evidence, stale records as data to fix, a playbook mitigation per cause."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.drafter import draft_plan
from storage.fiscal_year import quarter_of
from storage.plan_document import AccountPlanDocument
from tests.agent import context_factory as accounts
from tools.analytics.risks import DetectedRisk, RiskAssessment
from tools.analytics.snapshot import InteractionNote, RiskSignalFact

FY = "FY2026"
AS_OF = accounts.AS_OF


def text_of(plan: AccountPlanDocument) -> str:
    return plan.model_dump_json().lower()


def test_a_stable_account_with_one_coverage_signal_is_on_track_and_keeps_growing() -> None:
    plan = draft_plan(accounts.techcorp(), FY)  # health 68 for months, renewal 9 months out

    situation = plan.generation_context["situation"]
    assert situation["risk_level"] == "on_track"
    assert situation["stage"] == "established"
    assert plan.expansion_plan.target_arr == 310000  # the whole weighted pipeline, not halved
    assert any(o.objective.startswith("Grow ARR") for o in plan.strategic_objectives)


def test_an_account_one_month_in_gets_the_onboarding_play_not_a_recovery() -> None:
    context = accounts.onboarding()
    context = context.model_copy(
        update={"customer": context.customer.model_copy(update={"contract_start": AS_OF - timedelta(days=30)})}
    )

    plan = draft_plan(context, FY)

    assert plan.generation_context["situation"]["stage"] == "onboarding"
    onboarding = plan.strategic_objectives[0]
    assert onboarding.objective.startswith("Complete onboarding and reach first value by ")
    metrics = {m.metric for m in onboarding.success_metrics}
    assert {"First value milestone", "Active seats"} <= metrics
    milestones = " ".join(m.milestone for m in onboarding.quarterly_milestones)
    assert "seats provisioned; admins trained" in milestones
    everything = text_of(plan)
    assert "recovery plan" not in everything and "weekly risk review" not in everything
    weeks = {a.action.split(":")[0] for a in plan.action_plan_90day if a.objective_id == onboarding.id}
    assert "Admin training session for the customer's administrators" in weeks


def test_first_value_is_the_milestone_of_the_quarter_its_date_falls_in() -> None:
    """An objective "reach first value by <date>" never schedules first value in a later quarter."""
    drafted = 0
    for days_in in (5, 30, 60, 100):
        context = accounts.onboarding()
        start = AS_OF - timedelta(days=days_in)
        context = context.model_copy(update={"customer": context.customer.model_copy(update={"contract_start": start})})
        plan = draft_plan(context, FY)
        onboarding = plan.strategic_objectives[0]
        if not onboarding.objective.startswith("Complete onboarding"):
            continue
        drafted += 1
        due = datetime.strptime(onboarding.objective.rsplit(" by ", 1)[1], "%b %d, %Y").date()
        landed = [m for m in onboarding.quarterly_milestones if "first value" in m.milestone.lower()]
        assert len(landed) == 1, onboarding.quarterly_milestones
        assert landed[0].quarter == quarter_of(due, FY, 1), (due, landed[0])
    assert drafted >= 2


def test_one_risk_per_cause_with_all_its_evidence() -> None:
    context = accounts.at_risk()  # Sarah Chen (champion) left; the CRM also has a signal about it
    signal = RiskSignalFact(
        id="rs-9", type="champion_left", severity="critical", description="Main champion has left",
        detected_at=AS_OF - timedelta(days=20), status="active",
    )  # fmt: skip
    risks = [
        *context.risks.risks,
        DetectedRisk(kind="open_signal", severity="critical", title="Open critical risk signal: champion left",
                     evidence=signal.description, signal_id="rs-9"),
        DetectedRisk(kind="single_threaded", severity="high", title="Single-threaded relationship",
                     evidence="1 contact at director level or above"),
    ]  # fmt: skip
    context = context.model_copy(
        update={
            "risk_signals": [*context.risk_signals, signal],
            "risks": RiskAssessment(risks=risks, highest_severity="critical", at_risk=True),
        }
    )

    plan = draft_plan(context, FY)

    register = plan.risk_mitigation.identified_risks
    departed = [r for r in register if r.risk.startswith("Departed key contact")]
    assert len(departed) == 1  # the signal, the departed contact and the coverage gap: one risk
    assert "Main champion has left" in departed[0].risk and "Sarah Chen left the company" in departed[0].risk
    assert "1 contact at director level" in departed[0].risk
    assert departed[0].severity == "critical"
    assert not any(r.risk.startswith("Single-threaded") for r in register)
    # The retention objective counts the register as it is, after merging.
    open_risks = next(m for m in plan.strategic_objectives[0].success_metrics if m.metric == "Open risks")
    assert open_risks.current == len(register)
    # Single-threading is answered by multi-threading, named with the people on record.
    assert "successor for Sarah Chen (champion, left)" in departed[0].mitigation
    assert "introduce the executive sponsor (VP+) and economic buyer" in departed[0].mitigation


def test_evaluating_alternatives_is_a_risk_tied_to_the_deal_it_threatens() -> None:
    plan = draft_plan(accounts.techcorp_on_watch(), FY)

    assert plan.generation_context["situation"]["risk_level"] == "watch"
    competition = next(r for r in plan.risk_mitigation.identified_risks if r.risk.startswith("Competitive"))
    assert "Currently evaluating alternatives for analytics" in competition.risk
    assert "meeting with Sarah Chen on Jan 9, 2026" in competition.risk  # the customer's own words, quoted
    assert competition.risk.endswith("Threatens the $50K \u201cPremium analytics tier\u201d upsell, due Q2")
    assert competition.owner == "CSM + Account Executive"
    growth = next(o for o in plan.strategic_objectives if o.objective.startswith("Grow ARR"))
    assert "At risk from a competitive evaluation" in growth.rationale
    assert "Active evaluation" in plan.business_context.competitive_landscape
    # On watch the pipeline counts at 85% (60K weighted -> 51K); the growth objective stays.
    assert plan.expansion_plan.target_arr == 301000


def test_a_measurable_customer_goal_becomes_a_success_metric() -> None:
    plan = draft_plan(accounts.techcorp(goals="Cut time-to-resolution by 20%; consolidate support tooling"), FY)

    goal = next(o for o in plan.strategic_objectives if "customer's measurable goals" in o.objective)
    metric = next(m for m in goal.success_metrics if m.metric == "Time-to-resolution (customer goal)")
    assert (metric.current, metric.target) == (None, "20% lower than the baseline")


def test_stale_records_are_data_to_fix_never_counted_or_moved() -> None:
    base = accounts.expansion_ready()
    passed = base.customer.model_copy(update={"renewal_date": AS_OF - timedelta(days=118)})
    stale = accounts.candidate("Premium analytics tier", 50000, 0.7, None).model_copy(
        update={"expected_close": AS_OF - timedelta(days=40)}
    )
    context = base.model_copy(
        update={
            "customer": passed,
            "days_to_renewal": -118,
            "expansion": base.expansion.model_copy(update={"candidates": [stale]}),
        }
    )

    plan = draft_plan(context, FY)

    fixes = plan.generation_context["data_to_fix"]
    assert [f["record"] for f in fixes] == ["customers.renewal_date"]
    assert "has passed" in fixes[0]["problem"] and "Data to fix:" in plan.executive_summary
    assert "-118" not in text_of(plan)  # never a negative day count
    assert plan.action_plan_90day[0].action.startswith("Fix in the CRM: the renewal date on record, Sep 19, 2025")
    timeline = plan.expansion_plan.opportunities[0].timeline
    assert timeline == "stale: close date Dec 6, 2025 has passed"  # flagged, not moved to a later quarter
    assert plan.expansion_plan.target_arr == plan.expansion_plan.current_arr


def test_tech_touch_accounts_get_no_standing_executive_meeting() -> None:
    plan = draft_plan(accounts.techcorp(segment="SMB"), FY)

    resources = plan.resource_plan
    assert resources.engagement_model.startswith("Pooled CSM, tech-touch")
    assert resources.executive_alignment.startswith("No standing executive meeting")
    assert resources.csm_hours_per_month == 4


def test_the_ninety_days_have_work_in_every_fortnight_and_events_are_due_on_their_day() -> None:
    for context in (accounts.techcorp(), accounts.at_risk(), accounts.onboarding(), accounts.almost_no_data()):
        plan = draft_plan(context, FY)
        weeks = {a.week for a in plan.action_plan_90day}
        assert all(weeks & {first, first + 1} for first in range(1, 13, 2)), weeks
        assert max(weeks) == 13
        assert max(sum(1 for a in plan.action_plan_90day if a.week == w) for w in weeks) <= 6
        for action in plan.action_plan_90day:
            if action.action.startswith("Hold the"):
                qbr = next(q for q in plan.qbr_schedule if action.action.startswith(f"Hold the {q.quarter} QBR"))
                assert action.due_date == qbr.date


def test_interaction_notes_of_one_person_are_one_piece_of_evidence() -> None:
    base = accounts.techcorp()
    notes = [
        InteractionNote(date=AS_OF - timedelta(days=days), kind="support_escalation", contact_id="c-ana",
                        contact_name="Ana Lopez", sentiment=-0.6, summary=summary)
        for days, summary in ((3, "frustrated by slow support responses"), (30, "raised a blocking bug in reporting"))
    ]  # fmt: skip
    plan = draft_plan(base.model_copy(update={"interactions": base.interactions.model_copy(update={"notes": notes})}), FY)

    support = next(r for r in plan.risk_mitigation.identified_risks if r.risk.startswith("Support escalation"))
    assert support.risk.count("support escalation with Ana Lopez") == 1
    assert "Jan 12, 2026 and Dec 16, 2025" in support.risk
    assert support.severity == "high"  # a note at -0.6 sentiment


def test_the_relationship_objective_aims_for_what_the_stakeholder_plan_aims_for() -> None:
    """'Average relationship score 27 -> 35' beside goals of 60, 54 and 41 contradicts itself."""
    checked = 0
    for context in (accounts.techcorp(), accounts.at_risk(), accounts.single_threaded(), accounts.onboarding()):
        plan = draft_plan(context, FY)
        goals = plan.stakeholder_plan.relationship_goals
        for objective in plan.strategic_objectives:
            for metric in objective.success_metrics:
                if metric.metric == "Average relationship score" and goals:
                    checked += 1
                    assert metric.target == round(sum(g.target_score for g in goals) / len(goals))
    assert checked >= 1


def test_one_successful_peer_is_not_turned_into_a_lesson() -> None:
    similar = accounts.similar_accounts(success_rate=1 / 12, count=12)
    lone_winner = [a.model_copy(update={"succeeded": index == 0}) for index, a in enumerate(similar.accounts)]
    similar = similar.model_copy(update={"accounts": lone_winner, "distinguishing_factors": []})
    plan = draft_plan(accounts.techcorp().model_copy(update={"similar": similar}), FY)

    text = plan.benchmark_comparison.key_differentiators
    assert text == "8% of 12 comparable accounts renewed and grew (just 1): too few to say what set it apart."
