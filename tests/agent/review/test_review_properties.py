"""Whatever the account and whatever the plan, the review runs, is deterministic, and every finding
points at a real place in the plan with words for the CSM."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.drafter import draft_plan
from agent.review import review_plan
from storage.plan_document import SECTIONS, AccountPlanDocument
from tests.agent.test_drafter_properties import contexts
from tools.analytics.context import PlanningContext

_STEP = re.compile(r"([a-z_0-9]+)|\[(\d+)\]")


def resolve(document: AccountPlanDocument, path: str) -> Any:
    """The value at a finding's path ('strategic_objectives[1].quarterly_milestones[2]')."""
    value: Any = document.to_json_dict()
    for name, index in _STEP.findall(path):
        value = value[int(index)] if index else value[name]
    return value


def check_review(document: AccountPlanDocument, context: PlanningContext, start_month: int) -> None:
    review = review_plan(document, context, start_month=start_month)
    assert review == review_plan(document, context, start_month=start_month)
    for item in review.findings:
        assert item.severity in ("error", "warning") and item.section in SECTIONS
        assert item.message.strip() and item.suggestion.strip()
        resolve(document, item.path)  # raises when the path points nowhere
    stored = review.to_json()
    assert stored["errors"] + stored["warnings"] == len(stored["findings"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(context=contexts(), start_month=st.integers(1, 12), ahead=st.integers(-1, 1))
def test_the_review_of_any_drafted_plan_runs_and_points_at_real_places(
    context: PlanningContext, start_month: int, ahead: int
) -> None:
    year = (
        int(context.as_of.year) + (1 if start_month > 1 and context.as_of.month >= start_month else 0) + ahead
    )
    fiscal_year = f"FY{year}"
    check_review(draft_plan(context, fiscal_year, start_month=start_month), context, start_month)


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=5, max_size=120)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(context=contexts(), summary=words, milestone=words, action=words, mitigation=words, owner=words)
def test_the_review_of_any_text_runs(
    context: PlanningContext, summary: str, milestone: str, action: str, mitigation: str, owner: str
) -> None:
    """Whatever a person or a model writes into the plan, the review reads it without failing."""
    data = draft_plan(context, "FY2026").to_json_dict()
    data["executive_summary"] = summary + " " * 20
    data["strategic_objectives"][0]["quarterly_milestones"][0]["milestone"] = milestone
    data["action_plan_90day"][0].update(action=action, owner=owner)
    for risk in data["risk_mitigation"]["identified_risks"]:
        risk["mitigation"] = mitigation
    check_review(AccountPlanDocument.model_validate(data), context, 1)
