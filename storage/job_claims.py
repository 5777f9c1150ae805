"""Exactly-once work across replicas: each unit of work (one reminder DM, one proposal, one run of
a scheduled job) has a key; a replica claims it with a lease, does it, and marks it done.

A claim is taken by inserting the row (INSERT ... ON CONFLICT DO NOTHING) or, when an earlier
claimant died before finishing, by taking over its expired lease: on PostgreSQL the row is locked
with SELECT ... FOR UPDATE SKIP LOCKED so two replicas never wait on or both take the same row.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, rows_affected
from storage.models import JobClaim

DEFAULT_LEASE = timedelta(minutes=10)


async def claim(
    database: Database,
    key: str,
    *,
    worker: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> bool:
    """True when this worker now owns `key` (new, or an expired lease taken over); False when the
    work is done or someone else holds a live lease. Commits immediately so others see it."""
    lease_until = now + lease
    async with database.session() as session:
        if await _insert_new(session, key, worker=worker, now=now, lease_until=lease_until):
            return True
        return await _take_over_expired(session, key, worker=worker, now=now, lease_until=lease_until)


async def _insert_new(
    session: AsyncSession, key: str, *, worker: str, now: datetime, lease_until: datetime
) -> bool:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(JobClaim)
        .values(key=key, claimed_by=worker, lease_until=lease_until, created_at=now)
        .on_conflict_do_nothing(index_elements=[JobClaim.key])
    )
    return rows_affected(await session.execute(statement)) == 1


async def _take_over_expired(
    session: AsyncSession, key: str, *, worker: str, now: datetime, lease_until: datetime
) -> bool:
    if session.get_bind().dialect.name == "postgresql":
        locked = (
            await session.execute(
                select(JobClaim.key)
                .where(JobClaim.key == key, JobClaim.done_at.is_(None), JobClaim.lease_until < now)
                .with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if locked is None:
            return False
    # On SQLite the write lock serializes writers; the WHERE clause makes the take-over conditional.
    result = await session.execute(
        update(JobClaim)
        .where(JobClaim.key == key, JobClaim.done_at.is_(None), JobClaim.lease_until < now)
        .values(claimed_by=worker, lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result) == 1


async def complete(database: Database, key: str, *, worker: str, now: datetime) -> None:
    """Mark `key` done so nobody ever does it again."""
    async with database.session() as session:
        await session.execute(
            update(JobClaim)
            .where(JobClaim.key == key, JobClaim.claimed_by == worker)
            .values(done_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        )


async def release(database: Database, key: str, *, worker: str) -> None:
    """Give up a claim after a failure so another attempt (this replica or another) may retry."""
    async with database.session() as session:
        await session.execute(
            delete(JobClaim)
            .where(JobClaim.key == key, JobClaim.claimed_by == worker, JobClaim.done_at.is_(None))
            .execution_options(synchronize_session=False)
        )


async def is_done(database: Database, key: str) -> bool:
    async with database.session() as session:
        done_at = (
            await session.execute(select(JobClaim.done_at).where(JobClaim.key == key))
        ).scalar_one_or_none()
    return done_at is not None


@asynccontextmanager
async def exactly_once(
    database: Database,
    key: str,
    *,
    worker: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> AsyncGenerator[bool, None]:
    """`async with exactly_once(...) as mine: if mine: do_it()` - done on success, released on error."""
    mine = await claim(database, key, worker=worker, now=now, lease=lease)
    if not mine:
        yield False
        return
    try:
        yield True
    except BaseException:
        await release(database, key, worker=worker)
        raise
    await complete(database, key, worker=worker, now=now)


async def prune_done(database: Database, prefix: str, *, before: datetime) -> int:
    """Forget finished claims under `prefix` done before `before` (only for keys that can never
    come round again, like past minute slots), so the table does not grow without end."""
    async with database.session() as session:
        result = await session.execute(
            delete(JobClaim)
            .where(JobClaim.key.startswith(prefix, autoescape=True), JobClaim.done_at < before)
            .execution_options(synchronize_session=False)
        )
    return rows_affected(result)


async def claim_many(
    database: Database,
    keys: list[str],
    *,
    worker: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> list[str]:
    """The keys of `keys` this worker now owns, in one transaction: new ones inserted, expired
    leases taken over (on PostgreSQL only rows nobody else has locked: SKIP LOCKED). A bulk run
    claims its accounts this way, a batch at a time, so claiming costs one commit per batch."""
    if not keys:
        return []
    lease_until = now + lease
    async with database.session() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        rows = [
            {"key": key, "claimed_by": worker, "lease_until": lease_until, "created_at": now} for key in keys
        ]
        inserted = set(
            (
                await session.execute(
                    insert(JobClaim)
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=[JobClaim.key])
                    .returning(JobClaim.key)
                )
            ).scalars()
        )
        rest = [key for key in keys if key not in inserted]
        expired = (JobClaim.key.in_(rest), JobClaim.done_at.is_(None), JobClaim.lease_until < now)
        if rest and postgres:
            rest = list(
                (
                    await session.execute(
                        select(JobClaim.key).where(*expired).with_for_update(skip_locked=True)
                    )
                ).scalars()
            )
            expired = (JobClaim.key.in_(rest), JobClaim.done_at.is_(None), JobClaim.lease_until < now)
        if rest:
            taken = await session.execute(
                update(JobClaim)
                .where(*expired)
                .values(claimed_by=worker, lease_until=lease_until)
                .returning(JobClaim.key)
                .execution_options(synchronize_session=False)
            )
            inserted.update(taken.scalars())
    return [key for key in keys if key in inserted]


async def complete_many(session: AsyncSession, keys: list[str], *, worker: str, now: datetime) -> None:
    """Mark `keys` done inside the caller's transaction (so "done" commits with the work itself)."""
    for start in range(0, len(keys), 500):
        await session.execute(
            update(JobClaim)
            .where(JobClaim.key.in_(keys[start : start + 500]), JobClaim.claimed_by == worker)
            .values(done_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        )


async def release_many(database: Database, keys: list[str], *, worker: str) -> None:
    """Give up unfinished claims (a worker stopping early) so others may take them at once."""
    async with database.session() as session:
        for start in range(0, len(keys), 500):
            await session.execute(
                delete(JobClaim)
                .where(
                    JobClaim.key.in_(keys[start : start + 500]),
                    JobClaim.claimed_by == worker,
                    JobClaim.done_at.is_(None),
                )
                .execution_options(synchronize_session=False)
            )


async def release_held_by(database: Database, prefix: str, workers: list[str]) -> int:
    """Drop the unfinished claims under `prefix` held by `workers` (processes known to be dead),
    so their work is taken up now rather than when their leases run out."""
    if not workers:
        return 0
    async with database.session() as session:
        result = await session.execute(
            delete(JobClaim)
            .where(
                JobClaim.key.startswith(prefix, autoescape=True),
                JobClaim.claimed_by.in_(workers),
                JobClaim.done_at.is_(None),
            )
            .execution_options(synchronize_session=False)
        )
    return rows_affected(result)


async def holders(database: Database, prefix: str, *, now: datetime | None = None) -> list[str]:
    """Who holds unfinished claims under `prefix` (with `now`: only leases still running)."""
    query = select(JobClaim.claimed_by).where(
        JobClaim.key.startswith(prefix, autoescape=True), JobClaim.done_at.is_(None)
    )
    if now is not None:
        query = query.where(JobClaim.lease_until >= now)
    async with database.session() as session:
        rows = await session.execute(query.distinct())
    return [worker for worker in rows.scalars() if worker]


async def done_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of `keys` are finished: one query, so a tick skips known work without a claim each."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        rows = await session.execute(
            select(JobClaim.key).where(
                JobClaim.key.in_(keys[start : start + 500]), JobClaim.done_at.is_not(None)
            )
        )
        found.update(rows.scalars())
    return found
