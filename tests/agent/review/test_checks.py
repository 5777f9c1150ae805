"""Every check of the plan review, broken one at a time in the clean plan: the finding appears at
the right place with the right severity (and the clean plan itself has none)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from agent.review import review_plan
from tests.agent.context_factory import contact, coverage_for
from tests.agent.review.clean_plan import clean_data, context, document
from tools.analytics.context import PlanningContext
from tools.analytics.snapshot import OpportunityFact

Plan = dict[str, Any]


def objective(plan: Plan, number: int) -> dict[str, Any]:
    return plan["strategic_objectives"][number - 1]


def milestone(plan: Plan, number: int, quarter: int, text: str) -> None:
    objective(plan, number)["quarterly_milestones"][quarter - 1]["milestone"] = text


def act(plan: Plan, index: int, **changes: Any) -> None:
    plan["action_plan_90day"][index].update(changes)


def risk(plan: Plan, index: int = 0, **changes: Any) -> None:
    plan["risk_mitigation"]["identified_risks"][index].update(changes)


def add_risk(plan: Plan, text: str, mitigation: str, severity: str = "medium") -> None:
    plan["risk_mitigation"]["identified_risks"].append(
        {"risk": text, "severity": severity, "mitigation": mitigation, "owner": "CSM"}
    )


def summary(plan: Plan, text: str) -> None:
    plan["executive_summary"] += " " + text


def with_contacts(ctx: PlanningContext, *extra: Any, drop: str | None = None) -> PlanningContext:
    contacts = [c for c in ctx.contacts if c.id != drop] + list(extra)
    return ctx.model_copy(update={"contacts": contacts, "coverage": coverage_for(contacts)})


Case = tuple[str, str, str, Callable[[Plan], None], Callable[[], PlanningContext] | None]
CASES: dict[str, Case] = {
    # -- targets ----------------------------------------------------------------------------------
    "two health targets": (
        "conflicting_targets",
        "error",
        "strategic_objectives[2].success_metrics[1].target",
        lambda p: objective(p, 3)["success_metrics"].append(
            {"metric": "Health score", "current": 68, "target": 83, "measurement": "Monthly"}
        ),
        None,
    ),
    "summary target differs": (
        "conflicting_targets",
        "error",
        "executive_summary",
        lambda p: summary(p, "By Q4 we lift utilization from 55% to 80%."),
        None,
    ),
    "health target without a health score": (
        "target_without_data",
        "error",
        "strategic_objectives[0].success_metrics[0].target",
        lambda p: None,
        lambda: context(health_score=None).model_copy(
            update={"health": context().health.model_copy(update={"latest": None, "points": []})}
        ),
    ),
    "milestone level without data": (
        "target_without_data",
        "error",
        "strategic_objectives[2].quarterly_milestones[3]",
        lambda p: None,
        lambda: context(feature_utilization=None).model_copy(
            update={"usage_utilization": context().usage_utilization.model_copy(update={"latest": None})}
        ),
    ),
    "baseline not the data": (
        "baseline_mismatch",
        "error",
        "strategic_objectives[2].success_metrics[0].current",
        lambda p: objective(p, 3)["success_metrics"][0].update(current="48%"),
        None,
    ),
    "three critical objectives": (
        "too_many_critical",
        "error",
        "strategic_objectives[2].priority",
        lambda p: [objective(p, n).update(priority="critical") for n in (2, 3)],
        None,
    ),
    "priorities out of order": (
        "priority_order",
        "warning",
        "strategic_objectives[1].priority",
        lambda p: objective(p, 1).update(priority="medium"),
        None,
    ),
    # -- timing -----------------------------------------------------------------------------------
    "milestones listed out of order": (
        "milestones_out_of_order",
        "warning",
        "strategic_objectives[0].quarterly_milestones",
        lambda p: objective(p, 1)["quarterly_milestones"].reverse(),
        None,
    ),
    "milestone after the renewal it serves": (
        "after_the_event",
        "error",
        "strategic_objectives[1].quarterly_milestones[3]",
        lambda p: milestone(p, 2, 4, "Executive sponsor endorses the FY2026 outcomes and renewal"),
        None,
    ),
    "signature before proposal": (
        "milestones_out_of_sequence",
        "error",
        "strategic_objectives[0].quarterly_milestones[1]",
        lambda p: milestone(p, 1, 1, "Renewal signed with Sarah Chen"),
        None,
    ),
    "action due after the date it names": (
        "after_the_event",
        "error",
        "action_plan_90day[4].due_date",
        lambda p: act(p, 4, due_date="2026-02-18"),
        None,
    ),
    "QBR prep due after the QBR": (
        "after_the_event",
        "error",
        "action_plan_90day[3].due_date",
        lambda p: act(p, 3, week=5, due_date="2026-02-17"),
        None,
    ),
    "quarter milestone checked after the quarter": (
        "after_the_event",
        "error",
        "action_plan_90day[8].due_date",
        lambda p: act(
            p, 8, week=11, due_date="2026-04-01", action="Q1 milestone due: value review with Sarah Chen"
        ),
        None,
    ),
    "action after the 90 days": (
        "outside_90_days",
        "error",
        "action_plan_90day[9].due_date",
        lambda p: act(p, 9, due_date="2026-04-30"),
        None,
    ),
    "action after the fiscal year": (
        "after_fiscal_year",
        "error",
        "action_plan_90day[9].due_date",
        lambda p: act(p, 9, due_date="2027-01-05"),
        None,
    ),
    "week and due date disagree": (
        "week_and_date_disagree",
        "warning",
        "action_plan_90day[1].due_date",
        lambda p: act(p, 1, due_date="2026-02-03"),
        None,
    ),
    "QBR dated in another quarter": (
        "qbr_wrong_quarter",
        "error",
        "qbr_schedule[1].date",
        lambda p: p["qbr_schedule"][1].update(date="2026-07-15"),
        None,
    ),
    "QBR dated in the past": (
        "qbr_in_past",
        "error",
        "qbr_schedule[0].date",
        lambda p: p["qbr_schedule"][0].update(date="2026-01-09"),
        None,
    ),
    "renewal work after the renewal": (
        "after_the_event",
        "error",
        "qbr_schedule[3].date",
        lambda p: p["qbr_schedule"][3].update(focus="Renewal proposal review"),
        None,
    ),
    "a negative day count": (
        "negative_days",
        "error",
        "executive_summary",
        lambda p: summary(p, "Renewal in -118 days."),
        None,
    ),
    "renewal date passed, shown as ahead": (
        "stale_date",
        "error",
        "strategic_objectives[0].objective",
        lambda p: objective(p, 1).update(objective="Secure the Dec 31, 2025 renewal"),
        lambda: context(renewal_date=date(2025, 12, 31)),
    ),
    "renewal date passed, not mentioned": (
        "stale_date",
        "warning",
        "executive_summary",
        lambda p: None,
        lambda: context(renewal_date=date(2025, 12, 31)),
    ),
    "milestone in a quarter that is over": (
        "scheduled_in_past_quarter",
        "error",
        "strategic_objectives[0].quarterly_milestones[0]",
        lambda p: None,
        lambda: context().model_copy(update={"as_of": date(2026, 4, 20)}),
    ),
    # -- people -----------------------------------------------------------------------------------
    "a person not on record in an action": (
        "unknown_person",
        "error",
        "action_plan_90day[2].action",
        lambda p: act(p, 2, action="Outline the renewal business case with Dana Fox"),
        None,
    ),
    "a person not on record owns a risk": (
        "unknown_person",
        "error",
        "risk_mitigation.identified_risks[0].owner",
        lambda p: risk(p, owner="Jordan Blake"),
        None,
    ),
    "a person not on record in the stakeholder map": (
        "unknown_person",
        "error",
        "stakeholder_plan.current_map[5]",
        lambda p: p["stakeholder_plan"]["current_map"].append(
            {"stakeholder_id": "c-pat", "name": "Pat Doe", "title": "CFO", "role": "economic_buyer"}
        ),
        None,
    ),
    "meeting a role nobody holds": (
        "role_not_on_record",
        "error",
        "strategic_objectives[1].quarterly_milestones[1].milestone",
        lambda p: (
            milestone(p, 2, 1, "Executive briefing deck prepared"),
            act(p, 0, action="Share the executive briefing deck with Sarah Chen"),
        ),
        None,
    ),
    "a role nobody holds as an attendee": (
        "role_not_on_record",
        "error",
        "qbr_schedule[0].attendees[2]",
        lambda p: (
            p["qbr_schedule"][0]["attendees"].insert(2, "Economic buyer"),
            act(p, 0, action="Share the executive briefing deck with Sarah Chen"),
        ),
        None,
    ),
    "someone asked to introduce their own role": (
        "self_introduction",
        "error",
        "risk_mitigation.identified_risks[0].mitigation",
        lambda p: risk(p, mitigation="Multi-thread: ask Mike Ross to introduce the technical buyer"),
        None,
    ),
    "a disengaged contact proposed as champion": (
        "wrong_champion",
        "error",
        "stakeholder_plan.exec_sponsor_strategy",
        lambda p: p["stakeholder_plan"].update(
            exec_sponsor_strategy="Develop Raj Patel as a second champion and ask for a VP+ introduction."
        ),
        None,
    ),
    "a departed contact proposed as champion": (
        "wrong_champion",
        "error",
        "strategic_objectives[1].rationale",
        lambda p: objective(p, 2).update(rationale="Tom Hale is the successor champion candidate."),
        lambda: with_contacts(
            context(), contact("c-tom", "Tom Hale", "CTO", "exec_sponsor", 70, active=False)
        ),
    ),
    "a relationship goal for someone who left": (
        "departed_contact",
        "error",
        "stakeholder_plan.relationship_goals[1]",
        lambda p: None,
        lambda: with_contacts(
            context(),
            contact("c-mike", "Mike Ross", "Director of Engineering", "technical_buyer", 61, active=False),
            drop="c-mike",
        ),
    ),
    # -- risks ------------------------------------------------------------------------------------
    "one cause twice": (
        "duplicate_risk",
        "error",
        "risk_mitigation.identified_risks[1]",
        lambda p: add_risk(
            p,
            "Open medium risk signal: single threaded: only Sarah engaged",
            "Multi-thread: ask Sarah Chen to introduce the economic buyer",
        ),
        None,
    ),
    "two competitor risks": (
        "duplicate_risk",
        "warning",
        "risk_mitigation.identified_risks[2]",
        lambda p: [
            add_risk(p, f"Competitor evaluation {n}", "Quantify outcomes against the alternative")
            for n in (1, 2)
        ],
        None,
    ),
    "a mitigation for something else": (
        "mitigation_mismatch",
        "error",
        "risk_mitigation.identified_risks[0].mitigation",
        lambda p: risk(p, mitigation="Work the open signal to closure with support and product"),
        None,
    ),
    "one mitigation for two causes": (
        "repeated_mitigation",
        "warning",
        "risk_mitigation.identified_risks[1].mitigation",
        lambda p: add_risk(
            p,
            "Renewal within 90 days",
            "Ask Sarah Chen to introduce the economic buyer and an executive sponsor this quarter",
        ),
        None,
    ),
    "a risk count that is not the register's": (
        "risk_count_mismatch",
        "error",
        "strategic_objectives[0].success_metrics[1].current",
        lambda p: objective(p, 1)["success_metrics"].__setitem__(
            1,
            {"metric": "Open high/critical risks", "current": 9, "target": 0, "measurement": "Risk register"},
        ),
        None,
    ),
    # -- expansion --------------------------------------------------------------------------------
    "current ARR not the record": (
        "arr_mismatch",
        "error",
        "expansion_plan.current_arr",
        lambda p: p["expansion_plan"].update(current_arr=240000),
        None,
    ),
    "summary target ARR differs": (
        "expansion_figures_disagree",
        "error",
        "executive_summary",
        lambda p: p.update(
            executive_summary=p["executive_summary"].replace("Target ARR $285K", "Target ARR $300K")
        ),
        None,
    ),
    "weighted pipeline that does not add up": (
        "expansion_figures_disagree",
        "error",
        "executive_summary",
        lambda p: p.update(
            executive_summary=p["executive_summary"].replace("$35K probability", "$50K probability")
        ),
        None,
    ),
    "no expansion beside an in-year opportunity": (
        "expansion_figures_disagree",
        "error",
        "strategic_objectives[2].rationale",
        lambda p: objective(p, 3).update(
            rationale="Utilization is 55%, and no expansion can close in FY2026."
        ),
        None,
    ),
    "an ARR metric off the expansion target": (
        "expansion_figures_disagree",
        "error",
        "strategic_objectives[0].success_metrics[1].target",
        lambda p: objective(p, 1)["success_metrics"].__setitem__(
            1, {"metric": "ARR", "current": "$250K", "target": "$300K", "measurement": "Billing"}
        ),
        None,
    ),
    "target below today's ARR": (
        "target_below_current",
        "warning",
        "expansion_plan.target_arr",
        lambda p: (
            p.update(executive_summary=p["executive_summary"].replace("Target ARR $285K", "Target ARR $200K"))
            or p["expansion_plan"].update(target_arr=200000)
        ),
        None,
    ),
    "target beyond the pipeline": (
        "target_above_pipeline",
        "warning",
        "expansion_plan.target_arr",
        lambda p: (
            p.update(executive_summary=p["executive_summary"].replace("Target ARR $285K", "Target ARR $400K"))
            or p["expansion_plan"].update(target_arr=400000)
        ),
        None,
    ),
    "an opportunity past its close date shown as on track": (
        "stale_opportunity",
        "error",
        "expansion_plan.opportunities[0].timeline",
        lambda p: None,
        lambda: context().model_copy(
            update={
                "opportunities": [
                    OpportunityFact(
                        id="opp-1",
                        type="upsell",
                        description="Premium analytics tier",
                        value=50000,
                        probability=0.7,
                        expected_close=date(2026, 1, 5),
                        stage="open",
                    )
                ]
            }
        ),
    ),
    "an opportunity past its close date left out": (
        "stale_opportunity",
        "warning",
        "expansion_plan.opportunities",
        lambda p: None,
        lambda: context().model_copy(
            update={
                "opportunities": [
                    OpportunityFact(
                        id="opp-9",
                        type="cross_sell",
                        description="Support desk add-on",
                        value=20000,
                        probability=0.4,
                        expected_close=date(2025, 11, 30),
                        stage="open",
                    )
                ]
            }
        ),
    ),
    # -- the 90-day plan ---------------------------------------------------------------------------
    "two empty weeks": (
        "action_plan_gap",
        "warning",
        "action_plan_90day",
        lambda p: p["action_plan_90day"].pop(6),
        None,
    ),
    "a month with nothing planned": (
        "action_plan_gap",
        "error",
        "action_plan_90day",
        lambda p: [p["action_plan_90day"].pop(7), p["action_plan_90day"].pop(6)],
        None,
    ),
    "too much in one week": (
        "action_overload",
        "warning",
        "action_plan_90day[2]",
        lambda p: [
            p["action_plan_90day"].insert(
                3,
                {
                    "week": 3,
                    "due_date": "2026-02-04",
                    "action": f"Prepare training module {n}",
                    "owner": "CSM",
                    "objective_id": "obj-3",
                },
            )
            for n in range(1, 6)
        ],
        None,
    ),
    "an action pointing at nothing": (
        "action_without_objective",
        "error",
        "action_plan_90day[1].objective_id",
        lambda p: act(p, 1, objective_id="obj-9"),
        None,
    ),
    "an objective without an action": (
        "objective_without_action",
        "warning",
        "strategic_objectives[2]",
        lambda p: [
            a.update(objective_id=None) for a in p["action_plan_90day"] if a["objective_id"] == "obj-3"
        ],
        None,
    ),
    # -- resources --------------------------------------------------------------------------------
    "hours outside the segment's range": (
        "resources_segment_mismatch",
        "warning",
        "resource_plan.csm_hours_per_month",
        lambda p: p["resource_plan"].update(csm_hours_per_month=80),
        None,
    ),
    "weekly syncs on two hours a month": (
        "resources_cadence_mismatch",
        "error",
        "resource_plan.csm_hours_per_month",
        lambda p: p["resource_plan"].update(csm_hours_per_month=2),
        None,
    ),
    "tech-touch with a monthly executive meeting": (
        "resources_cadence_mismatch",
        "error",
        "resource_plan.executive_alignment",
        lambda p: p["resource_plan"].update(
            engagement_model="Pooled CSM, tech-touch: monthly check-ins",
            csm_hours_per_month=4,
            executive_alignment="Our VP Customer Success meets Sarah Chen monthly",
        ),
        lambda: context(segment="SMB"),
    ),
    "high-touch model on an SMB account": (
        "resources_segment_mismatch",
        "warning",
        "resource_plan.engagement_model",
        lambda p: p["resource_plan"].update(csm_hours_per_month=8),
        lambda: context(segment="smb"),
    ),
    "growth objective without an account executive": (
        "resources_objectives_mismatch",
        "warning",
        "resource_plan.specialists",
        lambda p: (
            objective(p, 3).update(objective="Upsell the premium analytics tier"),
            p["resource_plan"].update(specialists=["Solutions engineer for enablement sessions"]),
        ),
        None,
    ),
    "adoption objective without enablement": (
        "resources_objectives_mismatch",
        "warning",
        "resource_plan.specialists",
        lambda p: p["resource_plan"].update(specialists=["Account executive for the upsell"]),
        None,
    ),
    # -- text ---------------------------------------------------------------------------------------
    "one with a plural": (
        "plural",
        "warning",
        "stakeholder_plan.current_assessment",
        lambda p: p["stakeholder_plan"].update(current_assessment="1 problems left; Sarah Chen engaged."),
        None,
    ),
    "a form plural": (
        "plural",
        "warning",
        "risk_mitigation.identified_risks[0].risk",
        lambda p: risk(p, risk="Single-threaded relationship: 1 contact(s) at director level"),
        None,
    ),
    "many with a singular": (
        "plural",
        "warning",
        "strategic_objectives[1].rationale",
        lambda p: objective(p, 2).update(rationale="Only 3 contact engaged; the renewal needs more."),
        None,
    ),
    "text cut off": (
        "cut_off",
        "warning",
        "business_context.industry_trends",
        lambda p: p["business_context"].update(
            industry_trends="Technology buyers are consolidating their supp\u2026"
        ),
        None,
    ),
    "text stops mid-sentence": (
        "cut_off",
        "warning",
        "strategic_objectives[0].rationale",
        lambda p: objective(p, 1).update(rationale="The renewal falls in Q3 and"),
        None,
    ),
    "a doubled word": (
        "repeated_phrase",
        "warning",
        "strategic_objectives[2].rationale",
        lambda p: objective(p, 3).update(rationale="Utilization is is 55%."),
        None,
    ),
    "a phrase said twice": (
        "repeated_phrase",
        "warning",
        "executive_summary",
        lambda p: summary(p, "Secure the renewal, build executive coverage beyond Sarah Chen and more."),
        None,
    ),
    "the same action twice": (
        "repeated_item",
        "warning",
        "action_plan_90day[7].action",
        lambda p: act(p, 7, action=p["action_plan_90day"][6]["action"]),
        None,
    ),
    "raw money": (
        "money_format",
        "warning",
        "strategic_objectives[0].rationale",
        lambda p: objective(p, 1).update(rationale="The $250000 renewal falls in Q3."),
        None,
    ),
    "a database date": (
        "date_format",
        "warning",
        "strategic_objectives[0].rationale",
        lambda p: objective(p, 1).update(rationale="The renewal on 2026-09-30 falls in Q3."),
        None,
    ),
    "a raw code": (
        "raw_code",
        "warning",
        "expansion_plan.opportunities[0].description",
        lambda p: p["expansion_plan"]["opportunities"][0].update(
            description="Premium analytics tier (upsell, seat_expansion)"
        ),
        None,
    ),
}


def test_the_clean_plan_has_no_findings() -> None:
    review = review_plan(document(), context())
    assert review.findings == [], [f.message for f in review.findings]
    assert review.ok and review.to_json() == {"findings": [], "errors": 0, "warnings": 0}


@pytest.mark.parametrize("name", list(CASES))
def test_each_check_finds_what_breaks_it(name: str) -> None:
    code, severity, path, breaker, make_context = CASES[name]
    plan = clean_data()
    breaker(plan)
    review = review_plan(document(plan), make_context() if make_context else context())
    found = [(f.code, f.severity, f.path) for f in review.findings]
    assert (code, severity, path) in found, found
    hit = next(f for f in review.findings if (f.code, f.severity, f.path) == (code, severity, path))
    assert hit.section == path.split(".")[0].split("[")[0]
    assert hit.message.strip() and hit.suggestion.strip()


def test_breaking_one_thing_reports_only_that_thing() -> None:
    """The checks do not pile on: one conflicting target is one finding."""
    plan = clean_data()
    CASES["two health targets"][3](plan)
    review = review_plan(document(plan), context())
    assert [(f.code, f.path) for f in review.findings] == [
        ("conflicting_targets", "strategic_objectives[2].success_metrics[1].target")
    ]
    assert review.findings[0].message == (
        "Objective 3 targets health 83 but objective 1 targets 78: pick one target for health."
    )


def test_a_role_found_earlier_may_be_met_later() -> None:
    """The clean plan meets the economic buyer in Q2 and week 8 after finding them in week 1."""
    plan = clean_data()
    milestone(plan, 2, 1, "Economic buyer briefed on value delivered")  # met in Q1...
    review = review_plan(document(plan), context())
    assert not [f for f in review.findings if f.code == "role_not_on_record"]  # ...found in week 1 (Jan 21)
    act(plan, 0, action="Share the executive briefing deck with Sarah Chen")  # no longer found first
    review = review_plan(document(plan), context())
    assert "strategic_objectives[1].quarterly_milestones[0].milestone" in [
        f.path for f in review.findings if f.code == "role_not_on_record"
    ]


def test_a_milestone_in_a_quarter_that_is_over_is_fine_once_done_or_marked() -> None:
    plan = clean_data()
    later = context().model_copy(update={"as_of": date(2026, 4, 20)})
    for objective_data in plan["strategic_objectives"]:
        objective_data["quarterly_milestones"][0]["done"] = True
    paths = [
        f.path for f in review_plan(document(plan), later).findings if f.code == "scheduled_in_past_quarter"
    ]
    assert not [p for p in paths if "quarterly_milestones" in p]
    plan["strategic_objectives"][0]["quarterly_milestones"][0].update(
        done=False, milestone="Ended before this plan began"
    )
    paths = [
        f.path for f in review_plan(document(plan), later).findings if f.code == "scheduled_in_past_quarter"
    ]
    assert "strategic_objectives[0].quarterly_milestones[0]" not in paths


def test_a_stale_opportunity_flagged_as_stale_is_fine() -> None:
    make_context = CASES["an opportunity past its close date shown as on track"][4]
    assert make_context is not None
    ctx = make_context()
    plan = clean_data()
    plan["expansion_plan"]["opportunities"][0]["timeline"] = "stale: close date passed (Jan 5, 2026)"
    assert not [f for f in review_plan(document(plan), ctx).findings if f.code == "stale_opportunity"]


@pytest.mark.parametrize(
    "text",
    [
        "Review the week 1 actions and the Q1 milestones",  # numbers that name things, not counts
        "Over a 12 month period, 3 contacts engaged and 1 contact left",
        "Sarah Chen said \u201cwe have 1 problems with the the rollout\u201d",  # the customer's words
        "Target ARR $285K ($35,000 weighted); renewal on Sep 30, 2026",
        "Secure the Feb 15, 2027 renewal and the 2026 renewal terms",
    ],
)
def test_text_checks_leave_correct_text_alone(text: str) -> None:
    plan = clean_data()
    plan["stakeholder_plan"]["current_assessment"] = text
    review = review_plan(document(plan), context())
    assert [f.message for f in review.findings if f.path == "stakeholder_plan.current_assessment"] == []


def test_the_ninety_days_stop_at_the_end_of_the_fiscal_year() -> None:
    """Drafted in December for the year ending Dec 31: weeks past the year need no work."""
    plan = clean_data()
    december = context().model_copy(update={"as_of": date(2026, 12, 7)})
    start = date(2026, 12, 7)
    plan["action_plan_90day"] = [
        {
            "week": w,
            "due_date": (start + timedelta(days=7 * w - 1)).isoformat(),
            "action": f"Step {w} of the close-out",
            "owner": "CSM",
            "objective_id": "obj-1",
        }
        for w in (1, 3)
    ]
    gaps = [f for f in review_plan(document(plan), december).findings if f.code == "action_plan_gap"]
    assert gaps == []


def _quiet_stale_note(p: Plan) -> PlanningContext:
    # A note dated on the (passed) renewal day is not renewal work.
    p["risk_mitigation"]["identified_risks"][0]["risk"] += " (detected Dec 31, 2025)"
    return context(renewal_date=date(2025, 12, 31))


def _quiet_one_percent(p: Plan) -> PlanningContext:
    objective(p, 3)["success_metrics"][0].update(current="1%", target="70%")
    return context(feature_utilization=1.0)


def _quiet_stale_twin(p: Plan) -> PlanningContext:
    p["expansion_plan"]["opportunities"].append(
        dict(
            p["expansion_plan"]["opportunities"][0],
            timeline="stale: close date passed (Jan 5, 2026)",
            value=0,
        )
    )
    stale = OpportunityFact(
        id="opp-2",
        type="upsell",
        description="Premium analytics tier",
        value=50000,
        probability=0.7,
        expected_close=date(2026, 1, 5),
        stage="open",
    )
    return context().model_copy(update={"opportunities": [*context().opportunities, stale]})


def _quiet_quoted_name(p: Plan) -> PlanningContext:
    milestone(p, 3, 2, "Business case for \u201cSeats for 40 support agents\u201d")
    return context(seats_purchased=None, seats_active=None)


def _quiet_renewal_opportunity(p: Plan) -> PlanningContext:
    # A renewal opportunity listed beside the upsell is not expansion pipeline.
    p["expansion_plan"]["opportunities"].append(
        {
            "type": "renewal",
            "description": "FY2026 renewal",
            "value": 250000,
            "probability": 0.9,
            "timeline": "Q3",
        }
    )
    return context()


@pytest.mark.parametrize(
    ("code", "setup"),
    [
        ("expansion_figures_disagree", _quiet_renewal_opportunity),
        ("stale_date", _quiet_stale_note),
        ("baseline_mismatch", _quiet_one_percent),
        ("stale_opportunity", _quiet_stale_twin),
        ("target_without_data", _quiet_quoted_name),
    ],
)
def test_checks_stay_quiet_where_nothing_is_wrong(
    code: str, setup: Callable[[Plan], PlanningContext]
) -> None:
    plan = clean_data()
    ctx = setup(plan)
    assert not [f for f in review_plan(document(plan), ctx).errors if f.code == code]
