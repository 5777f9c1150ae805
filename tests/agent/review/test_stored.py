"""The review travels with the plan: stored after every generation (offline or Claude) and every
revision, read back as a PlanReview; `ai_generated` says whether a model wrote any of it."""

from __future__ import annotations

from datetime import date

from agent.generate import GenerationRequest, generate_plan
from agent.review import REVIEW_KEY, PlanReview, review_plan, stored_review
from agent.review.model import finding
from agent.revise import apply_plan_edits, revise_plan
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.plans import document_of, get_plan
from tests.agent.test_claude_generate import draft_echo, generate
from tests.conftest import agent_deps
from tests.fakes.anthropic_api import ApiError, Call, Reply
from tests.fakes.plan_samples import seed_plan
from tools.plans.edits import EditObjective

AS_OF = date(2026, 2, 2)


def test_findings_sort_errors_first_in_document_order_and_round_trip() -> None:
    later = finding("plural", "warning", "executive_summary", "m", "s")
    deep = finding("after_the_event", "error", "strategic_objectives[1].quarterly_milestones[10]", "m", "s")
    shallow = finding("after_the_event", "error", "strategic_objectives[1].quarterly_milestones[2]", "m", "s")
    review = PlanReview.of([later, deep, shallow, shallow])
    assert review.findings == [shallow, deep, later]
    assert [f.section for f in review.findings] == [
        "strategic_objectives",
        "strategic_objectives",
        "executive_summary",
    ]
    stored = review.to_json()
    assert (stored["errors"], stored["warnings"]) == (2, 1)
    assert PlanReview.from_json(stored) == review
    assert PlanReview.from_json(None) is None and PlanReview.from_json({"findings": [{"code": 1}]}) is None
    assert review.in_part("strategic_objectives[1]") == [shallow, deep]
    assert review.in_part("strategic_objectives[1].quarterly_milestones[1]") == []


async def test_an_offline_plan_is_saved_with_its_review_and_is_not_ai_generated(db: Database) -> None:
    await seed_demo_portfolio(db, accounts=5, as_of=AS_OF)
    result = await generate_plan(
        agent_deps(db), GenerationRequest(customer="techcorp", as_of=AS_OF, offline=True)
    )
    document = result.document
    assert document.ai_generated is False
    expected = review_plan(document, result.context).to_json()
    assert document.generation_context[REVIEW_KEY] == expected
    async with db.session() as session:
        stored = document_of(await get_plan(session, document.plan_id))
    assert stored_review(stored) == PlanReview.from_json(expected)


async def test_a_claude_plan_is_ai_generated_and_reviewed(db: Database) -> None:
    result, _ = await generate(db, draft_echo)
    assert result.document.ai_generated is True
    assert stored_review(result.document) == review_plan(result.document, result.context)


async def test_a_claude_run_that_fell_back_everywhere_is_not_ai_generated(db: Database) -> None:
    def down(call: Call) -> Reply | ApiError:
        return ApiError(400, "invalid_request_error", "no") if call.forced_tool else draft_echo(call)

    result, _ = await generate(db, down)
    assert set(result.document.generation_context["fallbacks"]) and result.document.ai_generated is False


async def test_every_revision_carries_a_review_of_itself(db: Database) -> None:
    plan = await seed_plan(db, generation_context={"as_of": "2026-01-15", "fiscal_year_start_month": 1})
    outcome = await revise_plan(
        agent_deps(db),
        plan.plan_id,
        "set priority of objective 1 to critical; set priority of objective 2 to critical; "
        "set priority of objective 3 to critical",
        actor="csm@example.com",
        surface="cli",
    )
    assert outcome.changed
    review = stored_review(outcome.document)
    assert review is not None
    assert "too_many_critical" in [f.code for f in review.errors]
    # A typed edit (the Slack form's path through the agent) is reviewed too.
    edited = await apply_plan_edits(
        agent_deps(db),
        plan.plan_id,
        [EditObjective(objective_id="obj-3", priority="high")],
        actor="csm@example.com",
        surface="slack",
    )
    after = stored_review(edited.document)
    assert after is not None and "too_many_critical" not in [f.code for f in after.findings]
