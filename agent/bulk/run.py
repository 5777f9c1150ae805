"""Starting and executing bulk drafting runs (see agent/bulk/__init__.py for the API)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from agent.bulk.drain import DrainJob, drain, worker_id
from agent.bulk.report import RunProgress, RunRecord, RunSummary, load_summary
from agent.bulk.scope import RunScope, select_accounts
from agent.bulk.workers import WorkerSpec, is_alive_here, start_workers
from agent.deps import AgentDeps
from agent.generate import resolve_fiscal_year
from storage import draft_runs
from storage.draft_runs import NewRun
from storage.errors import BadInput, Conflict
from storage.vocabulary import RunMode, RunState

log = logging.getLogger(__name__)

ProgressHandler = Callable[[RunProgress], Awaitable[None]]
PROGRESS_INTERVAL_SECONDS = 0.5
# An executing run's counts are written this often; a run silent for STALE_AFTER was abandoned
# (its process killed) and no longer blocks a new run of the same books (it stays resumable).
HEARTBEAT_SECONDS = 5.0
MAX_ROUNDS = 3  # executor rounds in one execution (later rounds take over dead workers' accounts)
STALE_AFTER = timedelta(minutes=2)
OFFLINE_BATCH = 50  # plans saved per transaction
CLAUDE_CONCURRENCY = 4  # plans drafted at once through interactive Claude calls (per process)


# Runs an execute_run of this process is working on, so this process's run joiner leaves them be.
EXECUTING: set[str] = set()


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def run_mode(scope: RunScope, deps: AgentDeps) -> RunMode:
    if scope.offline or deps.claude is None:
        return RunMode.OFFLINE
    return RunMode.BATCH if scope.batch else RunMode.CLAUDE


async def start_run(
    deps: AgentDeps, scope: RunScope, *, author: str, surface: str, workers: int | None = None
) -> RunRecord:
    """Record a run for `scope`: its accounts (to draft, or skipped with the reason). Nothing is
    drafted yet (`execute_run` does that). Conflict when a run for the same books is active."""
    as_of = scope.as_of or deps.today()
    fiscal_year = resolve_fiscal_year(
        scope.fiscal_year, as_of, deps.fiscal_year_start_month, deps.settings.fiscal_year_window_years
    )
    scope = replace(scope, fiscal_year=fiscal_year, as_of=as_of)
    mode = run_mode(scope, deps)
    if mode == RunMode.BATCH and RunMode.BATCH not in EXECUTORS:
        raise BadInput("--batch (Claude Message Batches) is not available in this build; drop --batch")
    async with deps.database.session() as session:
        active = await draft_runs.find_active_run(session, scope.scope_key, stale_before=_stale_before())
        if active is not None:
            raise Conflict(
                f"run {active.id} is already drafting {scope.describe()}; "
                f"`accountplan runs show {active.id}` shows how far it got"
            )
        selection = await select_accounts(session, scope, fiscal_year)
        run = await draft_runs.create_run(
            session,
            NewRun(
                scope=scope.to_json(),
                mode=mode,
                author=author,
                surface=surface,
                workers=workers or default_workers(),
                pending=selection.pending,
                skipped=selection.skipped,
            ),
        )
        return RunRecord.of(run)


async def find_active_run(deps: AgentDeps, scope_key: str) -> RunRecord | None:
    """The pending or running run for these books (`RunScope.scope_key`), if any."""
    async with deps.database.session() as session:
        run = await draft_runs.find_active_run(session, scope_key, stale_before=_stale_before())
        return RunRecord.of(run) if run is not None else None


def _stale_before() -> datetime:
    return datetime.now(UTC) - STALE_AFTER


class RunExecutor(Protocol):
    """Drafts a run's pending accounts (claiming them, so several executors may share a run)."""

    async def __call__(self, deps: AgentDeps, job: DrainJob, *, workers: int, in_process: bool) -> int:
        """Returns how many plans this executor saved."""
        ...


async def offline_executor(deps: AgentDeps, job: DrainJob, *, workers: int, in_process: bool) -> int:
    """Worker processes (CPU work off the event loop); `in_process` drafts on this loop instead
    (tests, and a caller that wants no processes)."""
    if in_process:
        return await drain(deps, job, worker=worker_id())
    spec = WorkerSpec(
        url=deps.database.url,
        engine_kwargs=deps.database.engine_kwargs,
        settings=deps.settings,
        job=job,
        parent_pid=os.getpid(),
    )
    processes, saved = start_workers(spec, workers)
    try:
        await asyncio.gather(*(asyncio.to_thread(p.join) for p in processes))
        return saved.value
    finally:
        for process in processes:  # cancelled (Ctrl-C, shutdown): stop the workers
            if process.is_alive():
                process.terminate()


async def claude_executor(deps: AgentDeps, job: DrainJob, *, workers: int, in_process: bool) -> int:
    """Interactive Claude calls, `workers` plans at a time (the calls are I/O: one event loop).
    Helper executors (Message Batches, a rate limiter) register under their own mode."""
    job = replace(job, batch_size=1, offline=False)
    return sum(await asyncio.gather(*(drain(deps, job, worker=worker_id()) for _ in range(max(1, workers)))))


async def batch_executor(deps: AgentDeps, job: DrainJob, *, workers: int, in_process: bool) -> int:
    """Claude's Message Batches (agent/bulk/claude_batch.py). Imported when a `--batch` run executes:
    the anthropic SDK is ~1 s of imports, which every offline worker process would pay at start."""
    from agent.bulk.claude_batch import batch_executor as execute_batches

    return await execute_batches(deps, job, workers=workers, in_process=in_process)


EXECUTORS: dict[RunMode, RunExecutor] = {
    RunMode.OFFLINE: offline_executor,
    RunMode.CLAUDE: claude_executor,
    RunMode.BATCH: batch_executor,
}


def register_executor(mode: RunMode, executor: RunExecutor) -> None:
    """How another mode (Claude Message Batches) plugs in."""
    EXECUTORS[mode] = executor


async def execute_run(
    deps: AgentDeps,
    run_id: str,
    *,
    workers: int | None = None,
    on_progress: ProgressHandler | None = None,
    in_process: bool = False,
) -> RunSummary:
    """Draft what is left of the run (a new run, or one resumed after a crash) and return its
    summary. Safe to call from several processes at once: each account is claimed by one."""
    EXECUTING.add(run_id)
    try:
        return await _execute_run(deps, run_id, workers=workers, on_progress=on_progress, in_process=in_process)
    finally:
        EXECUTING.discard(run_id)


async def _execute_run(
    deps: AgentDeps,
    run_id: str,
    *,
    workers: int | None,
    on_progress: ProgressHandler | None,
    in_process: bool,
) -> RunSummary:
    started = time.monotonic()
    async with deps.database.session() as session:
        run = await draft_runs.get_run(session, run_id)
        if run.state in (RunState.FINISHED, RunState.CANCELLED):
            counts = await draft_runs.run_counts(session, run_id)
            if counts.pending == 0:
                return await load_summary(deps, run_id, elapsed=0.0, drafted_now=0)
        await draft_runs.mark_state(session, run_id, RunState.RUNNING)
        scope = RunScope.from_json(run.scope)
        mode, author, surface = run.mode, run.author, str(run.surface)
        at_start = await draft_runs.run_counts(session, run_id)
        before = at_start.drafted
        if at_start.pending == 0:  # nothing to draft (every account skipped): no workers to start
            await draft_runs.mark_state(session, run_id, RunState.FINISHED)
    if at_start.pending == 0:
        return await load_summary(deps, run_id, elapsed=time.monotonic() - started, drafted_now=0)
    await _release_dead(deps, run_id)
    executor = EXECUTORS.get(mode)
    if executor is None:
        raise BadInput(f"run {run_id} drafts in {mode} mode, which this build cannot execute")
    job = DrainJob(
        run_id=run_id,
        fiscal_year=scope.fiscal_year or "",
        as_of=scope.as_of or date.today(),
        author=author,
        surface=surface,
        offline=mode == RunMode.OFFLINE,
        batch_size=OFFLINE_BATCH,
    )
    count = workers or default_workers()
    reporter = asyncio.create_task(_report(deps, run_id, started, before, on_progress))
    try:
        drafted_now = 0
        for _ in range(MAX_ROUNDS):
            saved = await executor(deps, job, workers=count, in_process=in_process)
            drafted_now += saved
            # Nothing left to claim: the rest is held by other executors (wait for them) or by
            # workers that died (their claims are released or expire; another round takes them).
            if await _wait_for_others(deps, run_id) == 0 or saved == 0:
                break
            await _release_dead(deps, run_id)
    except BaseException:
        reporter.cancel()
        # Stopped (Ctrl-C, shutdown, an error): failed, and resumable with what it did kept.
        with contextlib.suppress(Exception):  # the database may be what failed
            async with deps.database.session() as session:
                await draft_runs.mark_state(session, run_id, RunState.FAILED)
        raise
    reporter.cancel()
    elapsed = time.monotonic() - started
    async with deps.database.session() as session:
        counts = await draft_runs.run_counts(session, run_id)
        # Accounts left with nobody holding them: our workers died; `--resume` drafts the rest.
        final = RunState.FINISHED if counts.pending == 0 else RunState.FAILED
        await draft_runs.mark_state(session, run_id, final)
    if on_progress is not None:
        await on_progress(RunProgress.of(run_id, counts, elapsed, counts.drafted - before))
    return await load_summary(deps, run_id, elapsed=elapsed, drafted_now=drafted_now)


async def _release_dead(deps: AgentDeps, run_id: str) -> None:
    """Claims of this run held by processes on this machine that are gone (a kill -9) are released
    now; a crashed machine's claims wait out their lease."""
    host = socket.gethostname()
    holders = await draft_runs.claim_holders(deps.database, run_id)
    dead = [h for h in holders if not is_alive_here(h, host)]
    if dead:
        released = await draft_runs.release_dead_workers(deps.database, run_id, dead)
        log.info("run %s: released %d accounts claimed by dead workers %s", run_id, released, dead)


async def _wait_for_others(deps: AgentDeps, run_id: str, poll: float = PROGRESS_INTERVAL_SECONDS) -> int:
    """Wait while other executors of the run hold live claims; returns how many accounts are left."""
    while True:
        async with deps.database.session() as session:
            counts = await draft_runs.run_counts(session, run_id)
        host = socket.gethostname()
        holders = await draft_runs.claim_holders(deps.database, run_id, now=datetime.now(UTC))
        live = [h for h in holders if is_alive_here(h, host)]
        if counts.pending == 0 or not live:
            return counts.pending
        await asyncio.sleep(poll)


async def _report(
    deps: AgentDeps, run_id: str, started: float, before: int, on_progress: ProgressHandler | None
) -> None:
    """Progress to the callback while counts change, and the counts onto the run row every few
    seconds (the heartbeat that shows the run is alive)."""
    last = None
    stored = time.monotonic()
    while True:
        async with deps.database.session() as session:
            counts = await draft_runs.run_counts(session, run_id)
            if time.monotonic() - stored >= HEARTBEAT_SECONDS:
                stored = time.monotonic()
                await draft_runs.store_counts(session, run_id)
        if counts != last and on_progress is not None:
            last = counts
            elapsed = time.monotonic() - started
            try:
                await on_progress(RunProgress.of(run_id, counts, elapsed, counts.drafted - before))
            except Exception:  # a progress display must never stop the run
                log.exception("progress callback failed")
        await asyncio.sleep(PROGRESS_INTERVAL_SECONDS)
