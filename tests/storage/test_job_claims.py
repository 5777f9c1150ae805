"""Exactly-once claims: one owner per key, leases taken over only after expiry, done is final."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.job_claims import claim, complete, exactly_once, is_done, prune_done, release

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_only_one_worker_gets_a_key(any_db: Database) -> None:
    assert await claim(any_db, "qbr:p1:2026-03-20", worker="a", now=NOW)
    assert not await claim(any_db, "qbr:p1:2026-03-20", worker="b", now=NOW)
    assert await claim(any_db, "qbr:p2:2026-03-20", worker="b", now=NOW)


async def test_concurrent_claims_have_exactly_one_winner(any_db: Database) -> None:
    keys = [f"renewal:c{n}:90" for n in range(20)]
    workers = ["a", "b", "c"]
    results = await asyncio.gather(
        *(claim(any_db, key, worker=worker, now=NOW) for key in keys for worker in workers)
    )
    wins = [sum(results[i * 3 : i * 3 + 3]) for i in range(len(keys))]
    assert wins == [1] * len(keys)


async def test_expired_lease_of_a_crashed_worker_is_taken_over_once(any_db: Database) -> None:
    assert await claim(any_db, "digest:w10:ana", worker="crashed", now=NOW, lease=timedelta(minutes=5))
    assert not await claim(any_db, "digest:w10:ana", worker="b", now=NOW + timedelta(minutes=4))
    later = NOW + timedelta(minutes=6)
    assert await claim(any_db, "digest:w10:ana", worker="b", now=later)
    assert not await claim(any_db, "digest:w10:ana", worker="c", now=later)


async def test_done_is_final_even_after_the_lease(any_db: Database) -> None:
    assert await claim(any_db, "k", worker="a", now=NOW)
    await complete(any_db, "k", worker="a", now=NOW)
    assert await is_done(any_db, "k")
    assert not await claim(any_db, "k", worker="b", now=NOW + timedelta(days=30))


async def test_released_claim_can_be_retried(db: Database) -> None:
    assert await claim(db, "k", worker="a", now=NOW)
    await release(db, "k", worker="a")
    assert await claim(db, "k", worker="b", now=NOW)


async def test_exactly_once_marks_done_on_success_and_releases_on_error(db: Database) -> None:
    async with exactly_once(db, "ok", worker="a", now=NOW) as mine:
        assert mine
    assert await is_done(db, "ok")
    async with exactly_once(db, "ok", worker="b", now=NOW) as mine:
        assert not mine

    with pytest.raises(RuntimeError):
        async with exactly_once(db, "fails", worker="a", now=NOW) as mine:
            raise RuntimeError("slack said no")
    assert not await is_done(db, "fails")
    async with exactly_once(db, "fails", worker="b", now=NOW) as mine:
        assert mine


async def test_prune_forgets_only_old_finished_claims_under_a_prefix(any_db: Database) -> None:
    for key in ("run:proposals:1", "run:proposals:2", "qbr:p1:2026-03-20"):
        assert await claim(any_db, key, worker="a", now=NOW)
        await complete(any_db, key, worker="a", now=NOW)
    assert await claim(any_db, "run:proposals:3", worker="a", now=NOW)  # still running
    removed = await prune_done(any_db, "run:proposals:", before=NOW + timedelta(days=1))
    assert removed == 2
    assert await is_done(any_db, "qbr:p1:2026-03-20")
    assert not await claim(any_db, "run:proposals:3", worker="b", now=NOW)
