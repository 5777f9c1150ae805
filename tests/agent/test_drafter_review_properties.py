"""The offline drafter's plans pass the plan review: zero error findings on any data.

Accounts are generated as CRM rows across every lifecycle stage, with sparse and contradictory
data (no contacts, only departed ones, no history, a passed renewal, passed close dates, zero or
huge ARR, customer notes that read as evidence), and read by the real analytics."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from agent.drafter import draft_plan
from agent.review import review_plan
from tests.agent.generated_accounts import planned_accounts
from tools.analytics.context import PlanningContext


def _describe(errors: list) -> str:
    return "\n".join(f"{f.code} at {f.path}: {f.message}" for f in errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(account=planned_accounts())
def test_drafted_plans_have_no_error_findings(account: tuple[PlanningContext, str, int]) -> None:
    context, fiscal_year, start_month = account
    plan = draft_plan(context, fiscal_year, start_month=start_month)

    review = review_plan(plan, context, start_month=start_month)

    assert review.errors == [], _describe(review.errors)
    situation = plan.generation_context["situation"]
    assert situation["stage"] in ("onboarding", "adoption", "established", "renewal")
    assert situation["risk_level"] in ("on_track", "watch", "at_risk")
    assert situation["reasons"] and all(isinstance(reason, str) and reason for reason in situation["reasons"])
