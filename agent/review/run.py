"""`review_plan`: every check over one plan and its planning context, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable

from agent.review import actions, expansion, people, resources, risks, targets, text, timing
from agent.review.facts import ReviewFacts
from agent.review.model import PlanReview
from storage.plan_document import AccountPlanDocument
from tools.analytics.context import PlanningContext

CHECKS: tuple[Callable[[ReviewFacts], None], ...] = (
    targets.check,
    timing.check,
    people.check,
    risks.check,
    expansion.check,
    actions.check,
    resources.check,
    text.check,
)


def plan_start_month(document: AccountPlanDocument, default: int = 1) -> int:
    """The fiscal year's first month the plan was drafted with (recorded in its generation context)."""
    recorded = document.generation_context.get("fiscal_year_start_month")
    return recorded if isinstance(recorded, int) and 1 <= recorded <= 12 else default


def review_plan(
    document: AccountPlanDocument, context: PlanningContext, *, start_month: int | None = None
) -> PlanReview:
    """Read the plan as an experienced CS leader would, against the account's data as of
    `context.as_of`: errors are what a manager would send back, warnings what is worth a look.

    Deterministic and side-effect free; `start_month` defaults to the one the plan records (else 1).
    """
    facts = ReviewFacts(document, context, start_month or plan_start_month(document))
    for check in CHECKS:
        check(facts)
    return PlanReview.of(facts.findings)
