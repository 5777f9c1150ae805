"""Bulk drafting runs: a run (`draft_runs`) and one item per account (`draft_run_items`).

Accounts are handed out through job claims keyed per run and account (`draft-run:<run>:<customer>`),
so any number of processes (CLI workers, `serve` replicas) can execute the same run and each account
is drafted once: on PostgreSQL the claims use SKIP LOCKED, on SQLite the write lock serializes them.
An item becomes drafted in the same transaction that saves its plan version (`record_results` takes
the caller's session), so a killed run never leaves a plan saved but its item pending, or the reverse.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import job_claims
from storage.db import Database
from storage.errors import NotFound
from storage.models import DraftRun, DraftRunItem, JobClaim, utcnow
from storage.vocabulary import RunItemState, RunMode, RunState

CLAIM_PREFIX = "draft-run:"
# An offline batch takes well under a second; a lease this long only matters when a process on
# another machine died holding it (dead processes on this machine are released at once).
DEFAULT_ITEM_LEASE = timedelta(minutes=2)
ACTIVE_STATES = (RunState.PENDING, RunState.RUNNING)
INSERT_CHUNK = 500


def new_run_id() -> str:
    return f"run-{secrets.token_hex(6)}"


def claim_prefix(run_id: str) -> str:
    return f"{CLAIM_PREFIX}{run_id}:"


def claim_key(run_id: str, customer_id: str) -> str:
    return f"{claim_prefix(run_id)}{customer_id}"


@dataclass(frozen=True)
class ItemResult:
    """What became of one account: drafted (with the saved plan version), skipped or failed."""

    customer_id: str
    state: RunItemState
    reason: str | None = None
    plan_id: str | None = None
    version: int | None = None
    usage: dict[str, Any] | None = None


@dataclass(frozen=True)
class RunCounts:
    total: int = 0
    pending: int = 0
    drafted: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def done(self) -> int:
        return self.drafted + self.skipped + self.failed


@dataclass(frozen=True)
class NewRun:
    scope: dict[str, Any]
    mode: RunMode
    author: str
    surface: str
    workers: int
    pending: Sequence[str]  # customer ids to draft
    skipped: dict[str, str] = field(default_factory=dict[str, str])  # customer id -> why not


async def create_run(session: AsyncSession, run: NewRun, *, now: datetime | None = None) -> DraftRun:
    """Store a run and its items (pending ones to draft, skipped ones with their reasons)."""
    now = now or utcnow()
    record = DraftRun(
        id=new_run_id(),
        scope=dict(run.scope),
        state=RunState.PENDING,
        mode=run.mode,
        author=run.author,
        surface=run.surface,
        workers=run.workers,
        total=len(run.pending) + len(run.skipped),
        drafted=0,
        skipped=len(run.skipped),
        failed=0,
        batch_ids=[],
        usage={},
        created_at=now,
        updated_at=now,
    )
    session.add(record)
    await session.flush()
    rows: list[dict[str, Any]] = [
        {"run_id": record.id, "customer_id": c, "state": RunItemState.PENDING, "updated_at": now}
        for c in run.pending
    ]
    rows += [
        {
            "run_id": record.id,
            "customer_id": c,
            "state": RunItemState.SKIPPED,
            "reason": why,
            "updated_at": now,
        }
        for c, why in run.skipped.items()
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(insert(DraftRunItem), rows[start : start + INSERT_CHUNK])
    return record


async def get_run(session: AsyncSession, run_id: str) -> DraftRun:
    run = await session.get(DraftRun, run_id.strip())
    if run is None:
        raise NotFound(f"no run {run_id!r}; `accountplan runs list` shows the runs")
    return run


async def list_runs(session: AsyncSession, *, limit: int = 50) -> list[DraftRun]:
    """Newest first."""
    rows = await session.execute(select(DraftRun).order_by(DraftRun.created_at.desc()).limit(limit))
    return list(rows.scalars())


async def list_items(
    session: AsyncSession, run_id: str, *, states: Sequence[RunItemState] | None = None
) -> list[DraftRunItem]:
    query = select(DraftRunItem).where(DraftRunItem.run_id == run_id)
    if states:
        query = query.where(DraftRunItem.state.in_(list(states)))
    rows = await session.execute(query.order_by(DraftRunItem.customer_id))
    return list(rows.scalars())


async def run_counts(session: AsyncSession, run_id: str) -> RunCounts:
    """The counts from the items themselves (the run row's copies may lag while it runs)."""
    rows = await session.execute(
        select(DraftRunItem.state, func.count())
        .where(DraftRunItem.run_id == run_id)
        .group_by(DraftRunItem.state)
    )
    by_state = {str(state): int(count) for state, count in rows.all()}
    return RunCounts(
        total=sum(by_state.values()),
        pending=by_state.get(RunItemState.PENDING, 0),
        drafted=by_state.get(RunItemState.DRAFTED, 0),
        skipped=by_state.get(RunItemState.SKIPPED, 0),
        failed=by_state.get(RunItemState.FAILED, 0),
    )


async def store_counts(session: AsyncSession, run_id: str) -> RunCounts:
    """Copy the items' counts onto the run row."""
    counts = await run_counts(session, run_id)
    await session.execute(
        update(DraftRun)
        .where(DraftRun.id == run_id)
        .values(
            total=counts.total,
            drafted=counts.drafted,
            skipped=counts.skipped,
            failed=counts.failed,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return counts


async def mark_state(
    session: AsyncSession, run_id: str, state: RunState, *, now: datetime | None = None
) -> None:
    """Move the run to `state` (a final state also stamps finished_at and stores the counts)."""
    now = now or utcnow()
    values: dict[str, Any] = {"state": state, "updated_at": now}
    if state in (RunState.FINISHED, RunState.FAILED, RunState.CANCELLED):
        values["finished_at"] = now
        await store_counts(session, run_id)
    else:
        values["finished_at"] = None
    await session.execute(
        update(DraftRun)
        .where(DraftRun.id == run_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def find_active_run(
    session: AsyncSession, scope_key: str, *, stale_before: datetime | None = None
) -> DraftRun | None:
    """The pending or running run whose scope carries `scope_key` (one run per book at a time).
    With `stale_before`, a run not touched since then counts as abandoned (its process was killed):
    it stays resumable but no longer blocks a new run."""
    rows = await session.execute(
        select(DraftRun).where(DraftRun.state.in_(ACTIVE_STATES)).order_by(DraftRun.created_at.desc())
    )
    for run in rows.scalars():
        if run.scope.get("scope_key") != scope_key:
            continue
        if stale_before is not None and _aware(run.updated_at) < stale_before:
            continue
        return run
    return None


async def joinable_runs(session: AsyncSession, *, now: datetime) -> list[str]:
    """Active runs with accounts nobody holds a live claim on, oldest first: what another replica
    can help draft (or finish, when the process that started the run died)."""
    rows = await session.execute(
        select(DraftRun.id).where(DraftRun.state.in_(ACTIVE_STATES)).order_by(DraftRun.created_at)
    )
    return [run_id for run_id in rows.scalars() if await pending_candidates(session, run_id, now=now, limit=1)]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def pending_candidates(session: AsyncSession, run_id: str, *, now: datetime, limit: int) -> list[str]:
    """Pending accounts nobody holds a live claim on (a claim whose lease ran out is fair game)."""
    claim = JobClaim.__table__.alias("claim")
    key = literal(claim_prefix(run_id)) + DraftRunItem.customer_id
    query = (
        select(DraftRunItem.customer_id)
        .outerjoin(claim, claim.c.key == key)
        .where(
            DraftRunItem.run_id == run_id,
            DraftRunItem.state == RunItemState.PENDING,
            (claim.c.key.is_(None)) | ((claim.c.done_at.is_(None)) & (claim.c.lease_until < now)),
        )
        .order_by(DraftRunItem.customer_id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def claim_items(
    database: Database,
    run_id: str,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta = DEFAULT_ITEM_LEASE,
) -> list[str]:
    """Up to `limit` pending accounts of the run, now claimed by `worker`; [] when none is left to
    claim (all done, or the rest held by live workers)."""
    for _ in range(5):  # another worker may win the candidates we saw; look again
        async with database.session() as session:
            candidates = await pending_candidates(session, run_id, now=now, limit=limit)
        if not candidates:
            return []
        keys = [claim_key(run_id, c) for c in candidates]
        won = await job_claims.claim_many(database, keys, worker=worker, now=now, lease=lease)
        if won:
            prefix = len(claim_prefix(run_id))
            return [key[prefix:] for key in won]
    return []


async def record_results(
    session: AsyncSession,
    run_id: str,
    results: Sequence[ItemResult],
    *,
    worker: str,
    now: datetime | None = None,
) -> None:
    """Write the items' outcomes and mark their claims done, in the caller's transaction (the one
    that saved the plans), so an item is drafted exactly when its plan version is saved."""
    now = now or utcnow()
    if results:
        # One executemany for the whole batch (ORM bulk UPDATE by primary key).
        await session.execute(
            update(DraftRunItem),
            [
                {
                    "run_id": run_id,
                    "customer_id": r.customer_id,
                    "state": r.state,
                    "reason": r.reason,
                    "plan_id": r.plan_id,
                    "version": r.version,
                    "usage": r.usage,
                    "updated_at": now,
                }
                for r in results
            ],
        )
    keys = [claim_key(run_id, r.customer_id) for r in results]
    await job_claims.complete_many(session, keys, worker=worker, now=now)


async def release_items(database: Database, run_id: str, customer_ids: Sequence[str], *, worker: str) -> None:
    """Hand back claimed accounts this worker will not finish (it is stopping)."""
    keys = [claim_key(run_id, c) for c in customer_ids]
    await job_claims.release_many(database, keys, worker=worker)


async def release_dead_workers(database: Database, run_id: str, dead: Sequence[str]) -> int:
    """Release the claims of workers known to be dead (a killed process on this machine)."""
    return await job_claims.release_held_by(database, claim_prefix(run_id), list(dead))


async def claim_holders(database: Database, run_id: str, *, now: datetime | None = None) -> list[str]:
    """Workers holding unfinished claims of the run (with `now`: only leases still running)."""
    return await job_claims.holders(database, claim_prefix(run_id), now=now)


async def add_batch_ids(session: AsyncSession, run_id: str, batch_ids: Sequence[str]) -> None:
    """Remember Claude batch ids for the run (a restart resumes polling them)."""
    run = await get_run(session, run_id)
    run.batch_ids = [*run.batch_ids, *(b for b in batch_ids if b not in run.batch_ids)]
    run.updated_at = utcnow()


async def add_usage(session: AsyncSession, run_id: str, usage: dict[str, Any]) -> None:
    """Add token counts and cost to the run's totals (numbers are summed key by key)."""
    run = await get_run(session, run_id)
    total = dict(run.usage)
    for key, value in usage.items():
        if isinstance(value, int | float):
            total[key] = round(total.get(key, 0) + value, 6)
        else:
            total[key] = value
    run.usage = total
    run.updated_at = utcnow()
