"""Whatever the account looks like, the drafted plan validates and is deterministic."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.drafter import draft_plan, draft_section
from agent.drafter.confidence import confidence_breakdown
from storage.plan_document import SECTIONS, AccountPlanDocument
from tests.agent import context_factory as accounts
from tools.analytics.context import PlanningContext
from tools.analytics.risks import DetectedRisk, RiskAssessment

SEVERITIES = ["low", "medium", "high", "critical"]
KINDS = [
    "health_decline",
    "usage_decline",
    "departed_champion",
    "single_threaded",
    "renewal_soon",
    "open_signal",
    "negative_sentiment",
    "something_new",
]
ROLES = ["exec_sponsor", "champion", "technical_buyer", "economic_buyer", "user", "other"]


@st.composite
def contexts(draw: st.DrawFn) -> PlanningContext:
    base = draw(
        st.sampled_from([accounts.techcorp, accounts.at_risk, accounts.onboarding, accounts.almost_no_data])
    )()
    as_of = draw(st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 12, 31)))
    renewal = draw(
        st.none() | st.integers(min_value=-30, max_value=700).map(lambda d: as_of + timedelta(days=d))
    )
    customer = base.customer.model_copy(
        update={
            "arr": draw(st.none() | st.floats(min_value=0, max_value=5e6)),
            "health_score": draw(st.none() | st.integers(min_value=0, max_value=100)),
            "feature_utilization": draw(st.none() | st.floats(min_value=0, max_value=100)),
            "seats_purchased": draw(st.none() | st.integers(min_value=0, max_value=5000)),
            "renewal_date": renewal,
            "segment": draw(st.sampled_from([None, "Enterprise", "Mid-Market", "SMB", "Other"])),
            "goals": draw(st.none() | st.text(max_size=400)),
            "name": draw(st.text(min_size=1, max_size=80)),
        }
    )
    contacts = [
        accounts.contact(
            f"c{i}",
            draw(st.text(min_size=1, max_size=30)),
            draw(st.none() | st.text(max_size=30)),
            draw(st.sampled_from(ROLES)),
            draw(st.integers(0, 100)),
            engagement=draw(st.sampled_from([None, "high", "medium", "low", "none"])),
            active=draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, 7)))
    ]
    risks = [
        DetectedRisk(
            kind=draw(st.sampled_from(KINDS)),
            severity=draw(st.sampled_from(SEVERITIES)),
            title=draw(st.text(min_size=1, max_size=40)),
            evidence=draw(st.text(max_size=60)),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    highest = max(risks, key=lambda r: SEVERITIES.index(r.severity)).severity if risks else None
    expansion = base.expansion.model_copy(
        update={
            "candidates": [
                accounts.candidate(
                    draw(st.text(max_size=40)),
                    draw(st.floats(0, 1e6)),
                    draw(st.floats(0, 1)),
                    draw(st.sampled_from([None, "Q1", "Q2", "Q3", "Q4"])),
                    draw(st.sampled_from(["upsell", "cross_sell", "seat_expansion", "renewal"])),
                )
                for _ in range(draw(st.integers(0, 3)))
            ],
            "expansion_ready": draw(st.booleans()),
        }
    )
    return base.model_copy(
        update={
            "as_of": as_of,
            "customer": customer,
            "contacts": contacts,
            "coverage": accounts.coverage_for(contacts),
            "risks": RiskAssessment(risks=risks, highest_severity=highest, at_risk=draw(st.booleans())),
            "expansion": expansion,
            "days_to_renewal": (renewal - as_of).days if renewal else None,
            "similar": draw(
                st.sampled_from(
                    [None, accounts.similar_accounts(), accounts.similar_accounts(success_rate=None, count=0)]
                )
            ),
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    context=contexts(), year=st.sampled_from(["FY2025", "FY2026", "FY2027"]), start_month=st.integers(1, 12)
)
def test_every_drafted_plan_validates_and_is_deterministic(
    context: PlanningContext, year: str, start_month: int
) -> None:
    plan = draft_plan(context, year, start_month=start_month)

    # Round-trips through JSON and validates as a whole (3-5 objectives, Q1-Q4, weeks 1-13 ...).
    again = AccountPlanDocument.model_validate_json(plan.model_dump_json())
    assert again == plan
    assert 3 <= len(plan.strategic_objectives) <= 5
    assert plan.ai_confidence == confidence_breakdown(context)["value"]
    assert plan.expansion_plan.target_arr >= plan.expansion_plan.current_arr
    names_on_record = {c.name for c in context.contacts}
    assert {e.name for e in plan.stakeholder_plan.current_map} == names_on_record
    assert draft_plan(context, year, start_month=start_month) == plan
    assert (
        draft_section("strategic_objectives", context, year, start_month=start_month)
        == plan.strategic_objectives
    )


def test_draft_section_returns_each_section_of_the_full_plan() -> None:
    context = accounts.techcorp()
    plan = draft_plan(context, "FY2026")
    for section in SECTIONS:
        assert draft_section(section, context, "FY2026") == getattr(plan, section)
