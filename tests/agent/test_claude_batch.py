"""Drafting plans through the Message Batches API, via the real SDK against the fake server:
results out of order, some errored or expired, a repair round, limits, cost and resuming."""

from __future__ import annotations

from typing import Any

import pytest

from agent.claude.batch import BatchDrafter, BatchPlanInput, custom_id, split_requests
from agent.claude.client import ClaudeClient
from agent.claude.pricing import cost_usd
from agent.section_writer import SectionOutcome
from storage.plan_document import SECTIONS
from tests.fakes.anthropic_api import Call, FakeAnthropic, Reply, tool_use
from tests.fakes.plan_samples import plan_author, sample_context, sample_plan

PLANS = 20
ERRORED = "cust-03"
EXPIRED = "cust-07"
REPAIRED = "cust-11"


def inputs() -> list[BatchPlanInput]:
    return [
        BatchPlanInput(f"cust-{index:02d}", sample_context(), "FY2026", SECTIONS, sample_plan())
        for index in range(PLANS)
    ]


def outcome_of(cid: str) -> str:
    """Every request of one plan's resource plan errors, another plan's QBR request expires."""
    if cid.startswith(f"a0-{ERRORED}-write_resource_plan"):
        return "errored"
    if cid.startswith(f"a0-{EXPIRED}-write_qbr_schedule"):
        return "expired"
    return "succeeded"


def responder() -> Any:
    author = plan_author()

    def respond(call: Call) -> Reply:
        first_turn = len(call.body["messages"]) == 1
        # One plan's executive summary invents a person on its first answer: a repair round follows.
        plan = call.headers.get("x-batch-custom-id", "")
        if call.forced_tool == "write_summary_and_context" and first_turn and REPAIRED in plan:
            answer = author(call).content[0]["input"]
            answer["executive_summary"] += " Tom Reyes signs off on every renewal."
            return Reply([tool_use("write_summary_and_context", answer)], stop_reason="tool_use")
        return author(call)

    return respond


async def run_batches(
    fake: FakeAnthropic, stored: list[str], *, max_requests: int = 150, stop_after: int | None = None
) -> dict[str, SectionOutcome]:
    client = ClaudeClient(api_key="sk-test", model="claude-sonnet-5-5", base_url=fake.url, max_retries=0)
    drafter = BatchDrafter(client, poll_seconds=0.01, max_requests=max_requests)

    async def on_batch(batch_id: str) -> None:
        stored.append(batch_id)
        if stop_after is not None and len(stored) >= stop_after:
            raise KeyboardInterrupt  # the process is killed right after storing this id

    try:
        return await drafter.run(inputs(), list(stored), on_batch)
    finally:
        await client.close()


async def test_twenty_plans_in_batches_out_of_order_with_errors_expiry_and_a_repair_round() -> None:
    async with FakeAnthropic(responder()) as fake:
        fake.batches.outcome = outcome_of
        stored: list[str] = []
        outcomes = await run_batches(fake, stored)
    assert set(outcomes) == {f"cust-{i:02d}" for i in range(PLANS)}
    # Round one in two batches (150 requests at most each), then the one repair request in a third.
    sizes = [len(fake.batches.batches[b].requests) for b in stored]
    assert len(stored) == 3 and max(sizes[:2]) <= 150 and sizes[2] == 1
    first = fake.batches.batches[stored[0]]
    assert [r["custom_id"] for r in first.results] != [r["custom_id"] for r in first.requests]  # out of order
    assert outcomes[ERRORED].fallbacks == {"resource_plan": "the batch request failed (api_error)"}
    assert "expired" in outcomes[EXPIRED].fallbacks["qbr_schedule"]
    assert outcomes[REPAIRED].fallbacks == {}
    assert outcomes[REPAIRED].usage["repaired_jobs"] == ["write_summary_and_context"]
    clean = [o for c, o in outcomes.items() if c not in (ERRORED, EXPIRED)]
    assert all(o.fallbacks == {} and set(o.sections) == set(SECTIONS) for o in clean)
    usage = outcomes["cust-00"].usage
    assert usage["batch"] is True and usage["batch_ids"] == stored
    assert usage["cost_usd"] > 0
    assert usage["cost_usd"] == pytest.approx(usage["interactive_cost_usd"] / 2, rel=1e-3)
    assert usage["cost_usd"] == cost_usd(usage, "claude-sonnet-5-5", batch=True)


async def test_a_restart_resumes_from_the_stored_batch_ids_and_asks_nothing_twice() -> None:
    async with FakeAnthropic(responder()) as fake:
        fake.batches.outcome = outcome_of
        stored: list[str] = []
        with pytest.raises(KeyboardInterrupt):
            await run_batches(fake, stored, stop_after=2)  # killed once round one is submitted
        asked = len(fake.batch_calls)
        outcomes = await run_batches(fake, stored)
    assert len(stored) == 3  # only the repair round was submitted after the restart
    assert len(fake.batch_calls) == asked + 1
    assert outcomes[REPAIRED].fallbacks == {} and "resource_plan" in outcomes[ERRORED].fallbacks


def test_requests_are_split_by_count_and_by_bytes() -> None:
    requests = [{"custom_id": f"r{i}", "params": {"text": "x" * 1000}} for i in range(10)]
    assert [len(g) for g in split_requests(requests, max_requests=4)] == [4, 4, 2]
    by_bytes = list(split_requests(requests, max_bytes=3500))
    assert [len(g) for g in by_bytes] == [3, 3, 3, 1]


def test_custom_ids_fit_the_api_pattern() -> None:
    assert custom_id("cust-techcorp", "write_objective:obj-2", 0) == "a0-cust-techcorp-write_objective_obj-2"
    long = custom_id("a customer/with odd:chars" * 3, "write_actions:1-4", 1)
    assert long.startswith("a1-") and len(long) <= 64
