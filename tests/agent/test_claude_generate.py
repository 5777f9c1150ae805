"""`generate_plan` with deps built from an ANTHROPIC_API_KEY: Claude drafts, the plan is saved with its
accounting."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from agent.deps import AgentDeps
from agent.generate import GenerationRequest, generate_plan
from storage.db import Database
from storage.plans import get_plan
from storage.settings import Settings
from tests.fakes.anthropic_api import ApiError, Call, FakeAnthropic, Reply, text, tool_use
from tests.fakes.plan_samples import CUSTOMER_ID, seed_customer, tool_answer


def draft_echo(call: Call) -> Reply | ApiError:
    """A model that hands back the offline draft it was shown (as the real one would, refined)."""
    if call.forced_tool is None:
        return Reply([text("OK")], stop_reason="max_tokens", output_tokens=1)
    block = call.body["system"][1]["text"]
    draft = json.loads(re.search(r"<offline_draft>\n(.*)\n</offline_draft>", block, re.S).group(1))  # type: ignore[union-attr]
    if call.forced_tool == "write_summary_and_context":
        draft["executive_summary"] = "Claude's sharper summary: " + draft["executive_summary"]
    return Reply([tool_use(call.forced_tool, tool_answer(draft, call))], stop_reason="tool_use")


async def generate(db: Database, responder: Any) -> tuple[Any, FakeAnthropic]:
    """Deps built from settings the way an entry point builds them: the key selects Claude, the
    client talks to the fake Messages API."""
    await seed_customer(db)
    async with FakeAnthropic(responder) as fake:
        settings = Settings(
            ANTHROPIC_API_KEY="sk-test",
            ANTHROPIC_BASE_URL=fake.url,
            ANTHROPIC_MAX_RETRIES=1,
            ANTHROPIC_MODEL="claude-sonnet-5-5",
        )
        deps = AgentDeps.create(settings, db)
        try:
            request = GenerationRequest(customer=CUSTOMER_ID, fiscal_year="FY2026", as_of=date(2026, 1, 2))
            result = await generate_plan(deps, request)
        finally:
            await deps.close()
    return result, fake


async def test_claude_drafts_and_the_plan_records_its_usage(db: Database) -> None:
    result, fake = await generate(db, draft_echo)
    document = result.document
    assert document.executive_summary.startswith("Claude's sharper summary: ")
    context = document.generation_context
    assert context["drafter"] == "claude" and context["fallbacks"] == {}
    assert context["provenance"]["expansion_plan.current_arr"]["source"] == "customers.arr"
    usage = context["usage"]
    assert {c.body["model"] for c in fake.calls} == {"claude-sonnet-5-5"}
    assert usage["calls"] == len(fake.calls) and usage["model"] == "claude-sonnet-5-5"
    assert usage["cache_read_input_tokens"] > 0 and usage["output_tokens"] > 0
    async with db.session() as session:
        stored = await get_plan(session, document.plan_id)
    assert (
        stored.generation_context is not None
        and stored.generation_context["usage"]["calls"] == usage["calls"]
    )


async def test_overloaded_sections_fall_back_to_the_offline_draft(db: Database) -> None:
    def responder(call: Call) -> Reply | ApiError:
        if call.forced_tool in (
            "write_stakeholder_overview",
            "write_stakeholder_map",
            "write_relationship_goals",
        ):
            return ApiError(529, "overloaded_error", "Overloaded")
        return draft_echo(call)

    result, _ = await generate(db, responder)
    fallbacks = result.document.generation_context["fallbacks"]
    assert set(fallbacks) == {"stakeholder_plan"} and "overloaded" in fallbacks["stakeholder_plan"]
    assert result.document.executive_summary.startswith("Claude's sharper summary: ")
    assert result.saved
    # One of ten sections fell back: the confidence says so, and the stored plan agrees.
    confidence = result.document.generation_context["confidence"]
    assert confidence["fallback_share"] == 0.1
    assert result.document.ai_confidence == confidence["after_fallbacks"] < confidence["value"]


async def test_a_clean_claude_plan_keeps_the_data_confidence_and_records_tracked_inputs(db: Database) -> None:
    result, _ = await generate(db, draft_echo)
    context = result.document.generation_context
    assert context["confidence"]["fallback_share"] == 0.0
    assert result.document.ai_confidence == context["confidence"]["after_fallbacks"]
    tracked = context["tracked_inputs"]
    assert tracked["as_of"] == "2026-01-02"
    assert tracked["open_opportunity_ids"], "change detection needs the opportunities the plan knew"
