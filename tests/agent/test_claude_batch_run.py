"""`--batch` runs end to end: a run of demo accounts drafted through the fake Message Batches API
by the batch executor, plans saved with their items, usage and cost at batch prices, and a run
killed after submitting resumed from its stored batch ids."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from agent.bulk import RunScope, execute_run, start_run
from agent.bulk.drain import worker_id
from agent.deps import AgentDeps
from storage import draft_runs
from storage.db import Database
from storage.demo.accounts import account_id
from storage.demo.portfolio import seed_demo_portfolio
from storage.plans import get_plan
from storage.settings import Settings
from tests.agent.test_claude_generate import draft_echo
from tests.fakes.anthropic_api import FakeAnthropic

AS_OF = date(2026, 1, 2)
ACCOUNTS = 6


def deps_for(fake: FakeAnthropic, db: Database) -> AgentDeps:
    settings = Settings(
        ANTHROPIC_API_KEY="sk-test",
        ANTHROPIC_BASE_URL=fake.url,
        ANTHROPIC_MAX_RETRIES=0,
        ANTHROPIC_MODEL="claude-sonnet-5-5",
        ANTHROPIC_BATCH_POLL_SECONDS=0.01,
    )
    return AgentDeps.create(settings, db)


async def start(deps: AgentDeps) -> str:
    record = await start_run(deps, RunScope(batch=True, as_of=AS_OF), author="cli", surface="cli")
    return record.run_id


async def test_a_batch_run_saves_every_plan_with_usage_and_cost_at_batch_prices(db: Database) -> None:
    await seed_demo_portfolio(db, accounts=ACCOUNTS, as_of=AS_OF)
    errored = account_id(1)
    async with FakeAnthropic(draft_echo) as fake:
        fake.batches.outcome = lambda cid: (
            "errored" if cid.startswith(f"a0-{errored}-write_qbr") else "succeeded"
        )
        deps = deps_for(fake, db)
        try:
            run_id = await start(deps)
            summary = await execute_run(deps, run_id, in_process=True)
        finally:
            await deps.close()
    assert summary.run.drafted == ACCOUNTS and summary.run.failed == 0
    async with db.session() as session:
        run = await draft_runs.get_run(session, run_id)
        items = await draft_runs.list_items(session, run_id)
        plans = {item.customer_id: await get_plan(session, item.plan_id) for item in items if item.plan_id}
    assert run.batch_ids == sorted(fake.batches.batches) and run.mode == "batch"
    assert run.usage["plans"] == ACCOUNTS and run.usage["cost_usd"] > 0
    assert abs(run.usage["cost_usd"] - run.usage["interactive_cost_usd"] / 2) < 1e-4
    assert all(item.usage and item.usage["batch"] for item in items)
    fallbacks = {cid: plan.generation_context["fallbacks"] for cid, plan in plans.items()}
    assert fallbacks.pop(errored) == {"qbr_schedule": "the batch request failed (api_error)"}
    assert all(f == {} for f in fallbacks.values())


async def test_a_killed_batch_run_resumes_polling_its_stored_batches(db: Database) -> None:
    await seed_demo_portfolio(db, accounts=ACCOUNTS, as_of=AS_OF)
    async with FakeAnthropic(draft_echo) as fake:
        fake.batches.polls_until_ended = 10**9  # the batch is still processing when the run dies
        deps = deps_for(fake, db)
        try:
            run_id = await start(deps)
            task = asyncio.create_task(execute_run(deps, run_id, in_process=True))
            for _ in range(1000):  # poll, with a bound, until the batch id is stored on the run
                async with db.session() as session:
                    if (await draft_runs.get_run(session, run_id)).batch_ids:
                        break
                await asyncio.sleep(0.01)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            submitted: Any = dict(fake.batches.batches)
            # A restart's first step releases the dead process's claims (here: the same process).
            await draft_runs.release_items(deps.database, run_id, [account_id(i) for i in range(ACCOUNTS)],
                                           worker=worker_id())  # fmt: skip
            fake.batches.polls_until_ended = 1
            summary = await execute_run(deps, run_id, in_process=True)
        finally:
            await deps.close()
    assert submitted and fake.batches.batches.keys() == submitted.keys()  # nothing was asked twice
    assert summary.run.drafted == ACCOUNTS
