"""Claude drafting: concurrent vs sequential wall time, calls, tokens and the cacheable prefix.

    .venv/bin/python -m bench.claude_bench [--accounts 3] [--ms-per-token 2] [--base-ms 80] [--answers draft|careful]

Seeds the demo portfolio into a SQLite file, gathers real planning contexts and drafts each plan
with the Claude section writer through the real SDK against the fake Messages API on 127.0.0.1.
The fake takes `base-ms + ms-per-token x output tokens` per call (real models stream ~15-20 ms per
output token; the default is a 10x faster clock so the bench runs in seconds) and answers with the
offline draft's sections, so output sizes are realistic (`--answers careful`: the model-style
answers of tests/fakes/model_answers.py instead, rounded and derived figures the grounding has to
work out). Prints per plan and the means:
  * concurrent wall time vs the slowest single call plus the context (cache warm-up) call;
  * the same jobs drafted one after another, and the speed-up;
  * model calls per plan, input tokens per plan, and the share that is the cacheable shared prefix
    (and the share actually read from the cache).
Targets: concurrent <= 1.3 x (slowest call + context call); >= 4x faster than sequential;
cacheable prefix >= 70% of input tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from agent.claude.client import ClaudeClient
from agent.claude.workflow import ClaudeSectionWriter
from agent.drafter import draft_plan
from storage.db import Database
from storage.demo.accounts import account_id
from storage.demo.portfolio import seed_demo_portfolio
from storage.plan_document import SECTIONS
from tests.fakes.anthropic_api import FakeAnthropic, Responder, tokens
from tests.fakes.model_answers import Account, author
from tests.fakes.plan_samples import plan_author
from tools.analytics.context import PlanningContext, gather_planning_context
from tools.analytics.fiscal_calendar import fiscal_year_of


async def _contexts(accounts: int) -> list[PlanningContext]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await database.ensure_schema()
        await seed_demo_portfolio(database, accounts=max(40, accounts))
        contexts = []
        async with database.session() as session:
            for index in range(accounts):
                today = date.today()
                contexts.append(
                    await gather_planning_context(
                        session, account_id(index), today, fiscal_year=fiscal_year_of(today, 1)
                    )
                )
        await database.dispose()
    return contexts


@asynccontextmanager
async def _fake_in_own_thread(responder: Responder) -> AsyncIterator[FakeAnthropic]:
    """The fake API on its own event loop and thread, as a remote API would be: its JSON parsing
    and bookkeeping do not eat into the client's event loop and distort the timings."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeAnthropic(responder)
    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fake.__aenter__(), loop))
    try:
        yield fake
    finally:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fake.__aexit__(), loop))
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def _timed(responder: Responder, ms_per_token: float, base_ms: float) -> Responder:
    """`responder`, taking as long as a model writing its answer would."""

    def respond(call: Any) -> Any:
        reply = responder(call)
        reply.delay = base_ms / 1000 + (reply.output_tokens or tokens(reply.content)) * ms_per_token / 1000
        return reply

    return respond


async def _draft(
    context: PlanningContext, *, concurrent: bool, ms_per_token: float, base_ms: float, answers: str = "draft"
) -> dict[str, Any]:
    fiscal_year = fiscal_year_of(context.as_of, 1)
    baseline = draft_plan(context, fiscal_year)
    if answers == "careful":
        responder = _timed(author(Account(context, baseline.to_json_dict())), ms_per_token, base_ms)
    else:
        responder = plan_author(
            baseline.to_json_dict(), seconds_per_output_token=ms_per_token / 1000, base_latency=base_ms / 1000
        )
    async with _fake_in_own_thread(responder) as fake:
        client = ClaudeClient(
            api_key="sk-bench", model="claude-bench", base_url=fake.url, max_retries=0, deadline=600
        )
        writer = ClaudeSectionWriter(client, concurrent=concurrent, warm_cache=concurrent)
        outcome = await writer.write_sections(context, fiscal_year, SECTIONS, baseline, None)
        await client.close()
    assert not outcome.fallbacks, outcome.fallbacks
    usage = outcome.usage
    jobs = [c for c in fake.calls if c.forced_tool]
    warm_up = [c for c in fake.calls if not c.forced_tool]
    total_input = (
        usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"]
    )
    cacheable = sum(len(c.prefix_bytes()) for c in fake.calls) / sum(
        len(c.prefix_bytes()) + len(str(c.body["messages"])) for c in fake.calls
    )
    return {
        "wall_s": usage["wall_ms"] / 1000,
        "slowest_call_s": max(c.finished - c.started for c in jobs),
        "slowest_job": max(jobs, key=lambda c: c.finished - c.started).forced_tool,
        "context_call_s": sum(c.finished - c.started for c in warm_up),
        "calls": usage["calls"],
        "input_tokens": total_input,
        "output_tokens": usage["output_tokens"],
        "cacheable_share": (usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"])
        / total_input,
        "cacheable_share_by_bytes": cacheable,
        "cache_read_share": usage["cache_read_input_tokens"] / total_input,
    }


async def main(accounts: int, ms_per_token: float, base_ms: float, answers: str = "draft") -> None:
    contexts = await _contexts(accounts)
    # One unmeasured run first: schemas, prompts and SDK internals are built once per process.
    await _draft(contexts[0], concurrent=True, ms_per_token=0, base_ms=0, answers=answers)
    rows = []
    for context in contexts:
        fast = await _draft(context, concurrent=True, ms_per_token=ms_per_token, base_ms=base_ms, answers=answers)
        slow = await _draft(context, concurrent=False, ms_per_token=ms_per_token, base_ms=base_ms, answers=answers)
        bound = fast["slowest_call_s"] + fast["context_call_s"]
        row = {
            **fast,
            "sequential_s": slow["wall_s"],
            "speedup": slow["wall_s"] / fast["wall_s"],
            "vs_bound": fast["wall_s"] / bound,
            "sequential_calls": slow["calls"],
        }
        rows.append(row)
        print(
            f"{context.customer.name[:28]:28}  concurrent {fast['wall_s']:.2f}s (slowest call {fast['slowest_call_s']:.2f}s"
            f" {fast['slowest_job']} + context {fast['context_call_s']:.2f}s -> {row['vs_bound']:.2f}x)  sequential {slow['wall_s']:.2f}s"
            f"  speed-up {row['speedup']:.1f}x  calls {fast['calls']}  input {fast['input_tokens']:,} tok"
            f"  output {fast['output_tokens']:,} tok  cacheable {fast['cacheable_share']:.0%}"
            f"  cache-read {fast['cache_read_share']:.0%}"
        )

    def mean(key: str) -> float:
        return statistics.mean(r[key] for r in rows)

    print()
    print(f"plans: {len(rows)}  (fake latency {base_ms:.0f} ms + {ms_per_token:g} ms/output token; {answers} answers)")
    print(
        f"concurrent wall / (slowest call + context call): {mean('vs_bound'):.2f}x   target <= 1.3x  "
        f"{'PASS' if max(r['vs_bound'] for r in rows) <= 1.3 else 'FAIL'}"
    )
    print(
        f"speed-up over sequential: {mean('speedup'):.1f}x (min {min(r['speedup'] for r in rows):.1f}x)   "
        f"target >= 4x  {'PASS' if min(r['speedup'] for r in rows) >= 4 else 'FAIL'}"
    )
    print(
        f"model calls per plan: {mean('calls'):.1f} concurrent (incl. 1 cache warm-up), "
        f"{mean('sequential_calls'):.1f} sequential"
    )
    print(
        f"input tokens per plan: {mean('input_tokens'):,.0f}   output tokens per plan: {mean('output_tokens'):,.0f}"
    )
    print(
        f"cacheable shared prefix: {mean('cacheable_share'):.1%} of input tokens   target >= 70%  "
        f"{'PASS' if min(r['cacheable_share'] for r in rows) >= 0.7 else 'FAIL'}"
    )
    print(
        f"read from cache: {mean('cache_read_share'):.1%} of input tokens (the rest: one cache write + per-call asks)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--ms-per-token", type=float, default=2.0)
    parser.add_argument("--base-ms", type=float, default=80.0)
    parser.add_argument("--answers", choices=("draft", "careful"), default="draft")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.accounts, arguments.ms_per_token, arguments.base_ms, arguments.answers))
