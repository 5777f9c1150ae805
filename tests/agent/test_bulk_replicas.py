"""Replicas share bulk runs (`agent.bulk.replicas`): a run nobody executes is drafted by whichever
replicas join it, each account once; a run whose replica died is finished; a run this process is
executing is left to it."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

from agent.bulk import DrainJob, drain, join_active_runs, start_run
from agent.bulk.run import EXECUTING
from storage import draft_runs
from storage.db import Database
from storage.vocabulary import RunState
from tests.agent.test_bulk import ACCOUNTS, AS_OF, SCOPE, customer_ids, seeded, versions
from tests.conftest import agent_deps

__all__ = ["seeded"]  # the fixture, shared with test_bulk


async def test_two_replicas_join_a_run_and_draft_each_account_once(seeded: Database) -> None:
    other = Database(seeded.url, **seeded.engine_kwargs)
    try:
        first, second = agent_deps(seeded), agent_deps(other)
        record = await start_run(first, SCOPE, author="slack", surface="slack")  # its starter went away
        joined = await asyncio.gather(
            join_active_runs(first, in_process=True), join_active_runs(second, in_process=True)
        )
        again = await join_active_runs(second, in_process=True)
    finally:
        await other.dispose()
    summaries = [s for found in joined for s in found]
    assert {s.run.run_id for s in summaries} == {record.run_id}
    assert sum(s.drafted_now for s in summaries) == ACCOUNTS
    assert again == []  # nothing left to help with
    assert await versions(seeded) == dict.fromkeys(await customer_ids(seeded), 1)
    async with seeded.session() as session:
        assert (await draft_runs.get_run(session, record.run_id)).state == RunState.FINISHED


async def test_a_replica_finishes_the_run_of_a_replica_that_died(seeded: Database) -> None:
    deps = agent_deps(seeded)
    run_id = (await start_run(deps, SCOPE, author="slack", surface="slack")).run_id
    job = DrainJob(run_id, "FY2026", AS_OF, "slack", "slack", batch_size=4)
    await drain(deps, job, worker="first", keep_going=iter([True, False]).__next__)
    now = datetime.now(UTC)
    await draft_runs.claim_items(seeded, run_id, worker=f"{socket.gethostname()}:999999999", now=now, limit=3)
    await draft_runs.claim_items(seeded, run_id, worker="gone:1", now=now - timedelta(hours=1), limit=2)
    async with seeded.session() as session:
        await draft_runs.mark_state(session, run_id, RunState.RUNNING)  # as the dead replica left it

    [summary] = await join_active_runs(deps, in_process=True)

    assert (summary.state, summary.run.drafted) == ("finished", ACCOUNTS)
    assert await versions(seeded) == dict.fromkeys(await customer_ids(seeded), 1)


async def test_a_run_this_process_executes_is_left_to_it(seeded: Database) -> None:
    deps = agent_deps(seeded)
    run_id = (await start_run(deps, SCOPE, author="cli", surface="cli")).run_id
    EXECUTING.add(run_id)
    try:
        assert await join_active_runs(deps, in_process=True) == []
    finally:
        EXECUTING.discard(run_id)
    assert await versions(seeded) == {}
