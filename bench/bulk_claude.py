"""Claude in bulk: Message Batches, pacing against rate limits, balanced jobs.

    .venv/bin/python -m bench.bulk_claude [--plans 20] [--time-scale 1.0]

Everything runs through the real SDK against the fake Anthropic API on 127.0.0.1 (its own thread
and event loop, as a remote API would be), on demo accounts seeded into a temporary SQLite file.

1. **Batch run**: a `--batch` run of `--plans` accounts through the run executor: results come
   back shuffled, one plan's resource-plan request errors, another's QBR request expires, one
   plan's summary needs its repair round. Prints plans saved, fallbacks, batches and requests
   (split by a byte limit scaled down so a small run shows the split), cost at batch prices vs the
   same tokens interactive, and how many plans one real 256 MB batch would hold.
2. **Pacing**: `--plans` plans drafted at once with interactive calls against a fake that meters
   requests, input and output tokens per (shrunk) minute: 429s and wall time without the limiter
   (the SDK retries honouring retry-after) and with it.
3. **Balanced jobs**: expected output tokens per job (the largest vs the median, per plan), and one
   plan's wall time vs its slowest job under the latency model "1.2 s to first token, 60 output
   tokens/s" (times `--time-scale`; below 1 the checking work on our side, which does not scale,
   weighs more than it would, so the default is real time: ~30 s for three plans). Target <= 1.2x.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from agent.bulk import RunScope, execute_run, start_run
from agent.claude.balance import expected_output_tokens, plan_jobs
from agent.claude.client import ClaudeClient
from agent.claude.rate_limit import RateLimiter
from agent.claude.workflow import ClaudeSectionWriter
from agent.deps import AgentDeps
from agent.drafter import draft_plan
from bench.claude_bench import _fake_in_own_thread
from storage import draft_runs
from storage.db import Database
from storage.demo.accounts import account_id
from storage.demo.portfolio import seed_demo_portfolio
from storage.plan_document import SECTIONS
from storage.plans import get_plan
from storage.settings import Settings
from tests.fakes.anthropic_api import Call, Reply
from tests.fakes.anthropic_limits import RateLimits
from tests.fakes.plan_samples import plan_author
from tools.analytics.context import PlanningContext, gather_planning_context

AS_OF = date(2026, 1, 2)
FISCAL_YEAR = "FY2026"
SCALED_BATCH_BYTES = 4 * 1000 * 1000
REAL_BATCH_BYTES = 256 * 1000 * 1000


def echo_author(call: Call) -> Reply:
    """A model that refines the offline draft it was shown into the same answer (sizes realistic)."""
    from tests.agent.test_claude_generate import draft_echo

    reply = draft_echo(call)
    assert isinstance(reply, Reply)
    return reply


async def batch_run(database: Database, plans: int) -> dict[str, Any]:
    from agent.claude import batch as batch_module

    errored, expired = account_id(1), account_id(2)

    def outcome(cid: str) -> str:
        if cid.startswith(f"a0-{errored}-write_resource_plan"):
            return "errored"
        return "expired" if cid.startswith(f"a0-{expired}-write_qbr_schedule") else "succeeded"

    async with _fake_in_own_thread(echo_author) as fake:
        fake.batches.outcome = outcome
        fake.batches.polls_until_ended = 2
        settings = Settings(
            ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_MODEL="claude-sonnet-5-5",
            ANTHROPIC_BATCH_POLL_SECONDS=0.05,
        )  # fmt: skip
        deps = AgentDeps.create(settings, database)
        real_limit = batch_module.MAX_BATCH_BYTES
        batch_module.MAX_BATCH_BYTES = SCALED_BATCH_BYTES  # a small run still shows the byte split
        started = time.perf_counter()
        try:
            record = await start_run(deps, RunScope(batch=True, as_of=AS_OF), author="bench", surface="cli")
            summary = await execute_run(deps, record.run_id, in_process=True)
        finally:
            batch_module.MAX_BATCH_BYTES = real_limit
            await deps.close()
        elapsed = time.perf_counter() - started
        sizes = [b.body_bytes for b in fake.batches.batches.values()]
        counts = [len(b.requests) for b in fake.batches.batches.values()]
    async with database.session() as session:
        run = await draft_runs.get_run(session, record.run_id)
        items = await draft_runs.list_items(session, record.run_id)
        fallbacks = {}
        for item in items:
            if item.plan_id:
                plan = await get_plan(session, item.plan_id)
                if plan.generation_context and plan.generation_context["fallbacks"]:
                    fallbacks[item.customer_id] = plan.generation_context["fallbacks"]
    per_plan_bytes = sum(sizes) / max(1, summary.run.drafted)
    return {
        "plans": plans, "drafted": summary.run.drafted, "failed": summary.run.failed, "fallbacks": fallbacks,
        "batches": len(sizes), "requests": sum(counts), "repair_requests": counts[-1] if len(counts) > 1 else 0,
        "bytes": sum(sizes), "cost_usd": run.usage.get("cost_usd", 0.0),
        "interactive_cost_usd": run.usage.get("interactive_cost_usd", 0.0),
        "plans_per_real_batch": int(REAL_BATCH_BYTES / per_plan_bytes), "elapsed_s": elapsed,
    }  # fmt: skip


async def paced_burst(contexts: list[PlanningContext], *, limiter: bool) -> dict[str, Any]:
    """Every plan at once, interactive, against a fake metering a 1-second 'minute'."""
    limits = RateLimits(requests_per_window=60, input_tokens_per_window=150_000, output_tokens_per_window=6_000,
                        window_seconds=1.0)  # fmt: skip
    async with _fake_in_own_thread(plan_author_for_context()) as fake:
        fake.limits = limits
        client = ClaudeClient(
            api_key="sk-bench", model="claude-bench", base_url=fake.url, max_retries=8, deadline=600,
            limiter=RateLimiter(window_seconds=1.0) if limiter else None,
        )  # fmt: skip
        writer = ClaudeSectionWriter(client)
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(
            writer.write_sections(c, FISCAL_YEAR, SECTIONS, draft_plan(c, FISCAL_YEAR), None) for c in contexts
        ))  # fmt: skip
        elapsed = time.perf_counter() - started
        await client.close()
        statuses = [c.status for c in fake.calls]
    return {
        "calls": len(statuses), "rate_limited": statuses.count(429), "elapsed_s": elapsed,
        "plans_with_fallbacks": sum(1 for o in outcomes if o.fallbacks),
        "waited_calls": client.limiter.stats.waited_calls if client.limiter else 0,
    }  # fmt: skip


def plan_author_for_context() -> Any:
    """Answers with the offline draft shown in each request (so every plan answers its own data)."""
    return echo_author


async def balanced(contexts: list[PlanningContext], time_scale: float) -> dict[str, Any]:
    ratios, walls = [], []
    for context in contexts:
        baseline = draft_plan(context, FISCAL_YEAR)
        expected = [
            expected_output_tokens(job, baseline) for job in plan_jobs(SECTIONS, baseline, FISCAL_YEAR)
        ]
        ratios.append(max(expected) / statistics.median(expected))
    for context in contexts[:3]:
        baseline = draft_plan(context, FISCAL_YEAR)
        author = plan_author(
            baseline.to_json_dict(), seconds_per_output_token=time_scale / 60, base_latency=1.2 * time_scale
        )
        async with _fake_in_own_thread(author) as fake:
            client = ClaudeClient(api_key="sk-bench", model="claude-bench", base_url=fake.url, deadline=600)
            outcome = await ClaudeSectionWriter(client).write_sections(
                context, FISCAL_YEAR, SECTIONS, baseline, None
            )
            await client.close()
        jobs = [c for c in fake.calls if c.forced_tool]
        slowest = max(c.finished - c.started for c in jobs)
        warm_up = sum(c.finished - c.started for c in fake.calls if not c.forced_tool)
        walls.append((outcome.usage["wall_ms"] / 1000, slowest, len(jobs), warm_up))
    return {
        "max_over_median": (min(ratios), statistics.median(ratios), max(ratios)),
        "wall_over_slowest": [w / s for w, s, _, _ in walls],
        "wall_over_warm_up_and_slowest": [w / (s + u) for w, s, _, u in walls], "walls": walls,
        "time_scale": time_scale,
    }  # fmt: skip


async def figures(plans: int = 20, time_scale: float = 1.0, out: Any = print) -> dict[str, Any]:
    """Every figure above; `out` prints them (the lead's `bench.bulk_bench` passes its own)."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bulk_claude.db'}")
        await database.ensure_schema()
        await seed_demo_portfolio(database, accounts=plans, as_of=AS_OF)
        async with database.session() as session:
            contexts = [
                await gather_planning_context(session, account_id(i), AS_OF, fiscal_year=FISCAL_YEAR)
                for i in range(plans)
            ]
        batch = await batch_run(database, plans)
        await database.dispose()
    out(f"batch run: {batch['drafted']}/{batch['plans']} plans saved ({batch['failed']} failed) in "
        f"{batch['elapsed_s']:.1f}s; {batch['requests']} requests in {batch['batches']} batches "
        f"(byte limit scaled to {SCALED_BATCH_BYTES // 1_000_000} MB; {batch['repair_requests']} in the repair round)")  # fmt: skip
    for customer, fallback in batch["fallbacks"].items():
        out(f"  fallback recorded for {customer}: {fallback}")
    out(f"  cost at batch prices ${batch['cost_usd']:.4f} vs ${batch['interactive_cost_usd']:.4f} interactive "
        f"(Sonnet 5.5 prices); ~{batch['plans_per_real_batch']} plans fit one real 256 MB batch")  # fmt: skip
    bare = await paced_burst(contexts, limiter=False)
    paced = await paced_burst(contexts, limiter=True)
    out(f"pacing, {plans} plans at once vs 60 req / 150k input / 6k output tokens per 1-s 'minute':")
    for name, row in (("without limiter", bare), ("with limiter", paced)):
        out(f"  {name:16} {row['rate_limited']:4d} x 429 of {row['calls']} calls, {row['elapsed_s']:.1f}s, "
            f"{row['plans_with_fallbacks']} plans with fallbacks, {row['waited_calls']} calls held")  # fmt: skip
    bal = await balanced(contexts, time_scale)
    low, mid, high = bal["max_over_median"]
    out(f"balanced jobs: largest expected job / median job per plan {low:.2f}-{high:.2f}x (median {mid:.2f}x) "
        f"over {plans} plans")  # fmt: skip
    for (wall, slowest, jobs, warm_up), ratio in zip(bal["walls"], bal["wall_over_slowest"], strict=True):
        out(f"  plan wall {wall / time_scale:.1f}s vs slowest job {slowest / time_scale:.1f}s ({jobs} jobs) -> "
            f"{ratio:.2f}x (target <= 1.2x); vs cache warm-up {warm_up / time_scale:.1f}s + slowest job: "
            f"{wall / (warm_up + slowest):.2f}x (latency model 1.2 s + 60 tok/s)")  # fmt: skip
    return {"batch": batch, "pacing": {"without": bare, "with": paced}, "balanced": bal}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--time-scale", type=float, default=1.0)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the fallbacks and 429s are counted, not logged one by one
    asyncio.run(figures(arguments.plans, arguments.time_scale))
