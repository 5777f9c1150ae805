"""Draft runs: items claimed once across workers, results written with the claims marked done,
counts from the items, expired or dead workers' claims taken over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import draft_runs
from storage.db import Database
from storage.draft_runs import ItemResult, NewRun
from storage.errors import NotFound
from storage.vocabulary import RunItemState, RunMode, RunState

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _new_run(pending: list[str], skipped: dict[str, str] | None = None, scope_key: str = "all") -> NewRun:
    return NewRun(
        scope={"scope_key": scope_key, "csm": None, "offline": True},
        mode=RunMode.OFFLINE,
        author="ops@example.com",
        surface="cli",
        workers=2,
        pending=pending,
        skipped=skipped or {},
    )


async def _create(database: Database, run: NewRun) -> str:
    async with database.session() as session:
        return (await draft_runs.create_run(session, run, now=NOW)).id


async def test_a_run_is_stored_with_its_items_and_counts(any_db: Database) -> None:
    run_id = await _create(any_db, _new_run(["c1", "c2", "c3"], {"c4": "approved plan"}))
    assert run_id.startswith("run-") and len(run_id) == 16
    async with any_db.session() as session:
        run = await draft_runs.get_run(session, run_id)
        counts = await draft_runs.run_counts(session, run_id)
        items = await draft_runs.list_items(session, run_id, states=[RunItemState.SKIPPED])
    assert (run.state, run.mode, run.total, run.skipped, run.batch_ids) == (
        RunState.PENDING,
        RunMode.OFFLINE,
        4,
        1,
        [],
    )
    assert (counts.total, counts.pending, counts.skipped, counts.done) == (4, 3, 1, 1)
    assert [(i.customer_id, i.reason) for i in items] == [("c4", "approved plan")]


async def test_unknown_run_is_not_found(any_db: Database) -> None:
    async with any_db.session() as session:
        with pytest.raises(NotFound, match="runs list"):
            await draft_runs.get_run(session, "run-000000000000")


async def test_each_item_is_claimed_by_one_worker(any_db: Database) -> None:
    customers = [f"c{n:03}" for n in range(60)]
    run_id = await _create(any_db, _new_run(customers))

    async def drain(worker: str) -> list[str]:
        mine: list[str] = []
        while batch := await draft_runs.claim_items(any_db, run_id, worker=worker, now=NOW, limit=7):
            mine += batch
            async with any_db.session() as session:
                await draft_runs.record_results(
                    session,
                    run_id,
                    [ItemResult(c, RunItemState.DRAFTED, plan_id="p", version=1) for c in batch],
                    worker=worker,
                    now=NOW,
                )
        return mine

    results = await asyncio.gather(drain("a"), drain("b"), drain("c"))
    claimed = [c for worker in results for c in worker]
    assert sorted(claimed) == customers
    async with any_db.session() as session:
        counts = await draft_runs.run_counts(session, run_id)
    assert (counts.drafted, counts.pending) == (60, 0)


async def test_a_crashed_workers_claims_are_taken_over_after_the_lease_or_when_known_dead(
    any_db: Database,
) -> None:
    run_id = await _create(any_db, _new_run(["c1", "c2", "c3"]))
    lease = timedelta(minutes=2)
    assert await draft_runs.claim_items(any_db, run_id, worker="dead", now=NOW, limit=2, lease=lease) == [
        "c1",
        "c2",
    ]
    # Live lease: only the unclaimed account is handed out.
    assert await draft_runs.claim_items(any_db, run_id, worker="b", now=NOW, limit=5) == ["c3"]
    later = NOW + lease + timedelta(seconds=1)
    assert await draft_runs.claim_items(any_db, run_id, worker="b", now=later, limit=1) == ["c1"]
    assert set(await draft_runs.claim_holders(any_db, run_id)) == {"dead", "b"}
    assert await draft_runs.release_dead_workers(any_db, run_id, ["dead"]) == 1
    assert await draft_runs.claim_items(any_db, run_id, worker="c", now=NOW, limit=5) == ["c2"]


async def test_released_items_are_claimable_again_and_done_items_never(any_db: Database) -> None:
    run_id = await _create(any_db, _new_run(["c1", "c2"]))
    assert await draft_runs.claim_items(any_db, run_id, worker="a", now=NOW, limit=5) == ["c1", "c2"]
    async with any_db.session() as session:
        await draft_runs.record_results(
            session, run_id, [ItemResult("c1", RunItemState.FAILED, reason="boom")], worker="a", now=NOW
        )
    await draft_runs.release_items(any_db, run_id, ["c2"], worker="a")
    far = NOW + timedelta(days=1)
    assert await draft_runs.claim_items(any_db, run_id, worker="b", now=far, limit=5) == ["c2"]


async def test_a_rolled_back_batch_leaves_items_pending_and_claimed(any_db: Database) -> None:
    run_id = await _create(any_db, _new_run(["c1"]))
    assert await draft_runs.claim_items(any_db, run_id, worker="a", now=NOW, limit=5) == ["c1"]
    with pytest.raises(RuntimeError):
        async with any_db.session() as session:
            await draft_runs.record_results(
                session, run_id, [ItemResult("c1", RunItemState.DRAFTED)], worker="a", now=NOW
            )
            raise RuntimeError("killed mid-batch")
    async with any_db.session() as session:
        counts = await draft_runs.run_counts(session, run_id)
    assert counts.pending == 1
    assert await draft_runs.release_dead_workers(any_db, run_id, ["a"]) == 1
    assert await draft_runs.claim_items(any_db, run_id, worker="b", now=NOW, limit=5) == ["c1"]


async def test_state_counts_batch_ids_usage_and_the_active_run_of_a_scope(any_db: Database) -> None:
    run_id = await _create(any_db, _new_run(["c1", "c2"], scope_key="csm:ana@example.com"))
    other = await _create(any_db, _new_run(["c3"], scope_key="all"))
    async with any_db.session() as session:
        await draft_runs.mark_state(session, run_id, RunState.RUNNING)
        await draft_runs.add_batch_ids(session, run_id, ["msgbatch_1"])
        await draft_runs.add_batch_ids(session, run_id, ["msgbatch_1", "msgbatch_2"])
        await draft_runs.add_usage(session, run_id, {"input_tokens": 10, "cost_usd": 0.5})
        await draft_runs.add_usage(session, run_id, {"input_tokens": 5, "cost_usd": 0.25})
    async with any_db.session() as session:
        active = await draft_runs.find_active_run(session, "csm:ana@example.com")
        assert active is not None and active.id == run_id
        assert active.batch_ids == ["msgbatch_1", "msgbatch_2"]
        assert active.usage == {"input_tokens": 15, "cost_usd": 0.75}
        await draft_runs.record_results(
            session, run_id, [ItemResult("c1", RunItemState.DRAFTED, plan_id="p1", version=2)], worker="x"
        )
        await draft_runs.mark_state(session, run_id, RunState.FINISHED)
    async with any_db.session() as session:
        assert await draft_runs.find_active_run(session, "csm:ana@example.com") is None
        run = await draft_runs.get_run(session, run_id)
        assert (run.state, run.drafted, run.total) == (RunState.FINISHED, 1, 2)
        assert run.finished_at is not None
        assert {r.id for r in await draft_runs.list_runs(session)} == {other, run_id}
