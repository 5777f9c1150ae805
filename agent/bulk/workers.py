"""Offline drafting in worker processes: each opens its own engine from the run's database URL and
drains the run. Processes are started with `spawn` (never `fork`: the parent already has an event
loop, an engine and maybe threads, none of which survive a fork safely)."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import sys
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

from agent.bulk.drain import DrainJob, drain, failure_reason, worker_id
from agent.deps import AgentDeps
from storage.db import Database
from storage.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker process needs, picklable: no engine, client or clock crosses over."""

    url: str
    engine_kwargs: dict[str, Any]
    settings: Settings
    job: DrainJob
    parent_pid: int


def work(spec: WorkerSpec, saved: Synchronized[int]) -> None:
    """A worker process's entry point; adds the plans it saved to `saved`. It ends with one line on
    stderr, never a traceback: its unfinished accounts are taken over by the next round or resume."""
    _tune_garbage_collector()
    try:
        count = asyncio.run(_work(spec))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent reports it
        sys.exit(130)
    except Exception as error:
        print(f"error: drafting worker {os.getpid()} stopped: {failure_reason(error)}", file=sys.stderr)
        sys.exit(1)
    with saved.get_lock():
        saved.value += count


# A drafting worker allocates millions of short-lived objects (rows, models, dicts); with Python's
# default thresholds the collector ran a pass every ~700 allocations and a full pass over the whole
# heap every few seconds: 2.6 ms of a 20 ms plan. A batch holds its 50 drafted plans until it saves
# them, so the young generation's count swings by tens of thousands per batch: at 20,000 a pass ran
# ~25 times per 1000 plans (0.35 ms per plan); at 100,000 once (0.03 ms), and the peak memory is
# the same (~160 MB after 2000 plans), since a plan's objects are freed by reference counting.
GC_THRESHOLDS = (100_000, 20, 20)


def _tune_garbage_collector() -> None:
    gc.freeze()  # what start-up imported stays: never scanned again
    gc.set_threshold(*GC_THRESHOLDS)


async def _work(spec: WorkerSpec) -> int:
    database = Database(spec.url, **spec.engine_kwargs)
    deps = AgentDeps(settings=spec.settings, database=database)
    try:
        # A worker whose parent was killed stops after its batch (its claims are released by the
        # next `--resume`), rather than drafting on unseen.
        return await drain(
            deps, spec.job, worker=worker_id(), keep_going=lambda: os.getppid() == spec.parent_pid
        )
    finally:
        await database.dispose()


def start_workers(spec: WorkerSpec, count: int) -> tuple[list[BaseProcess], Synchronized[int]]:
    """`count` worker processes draining the run, and the counter of plans they saved."""
    context = multiprocessing.get_context("spawn")
    saved: Synchronized[int] = context.Value("i", 0)
    processes: list[BaseProcess] = [
        context.Process(target=work, args=(spec, saved), name=f"accountplan-draft-{n}") for n in range(count)
    ]
    for process in processes:
        process.start()
    return processes, saved


def is_alive_here(holder: str, host: str) -> bool:
    """Whether a claim holder named host:pid is a live process (only knowable on its own host).
    A zombie counts as dead: a killed worker whose parent died too may never be reaped."""
    holder_host, _, pid = holder.rpartition(":")
    if holder_host != host or not pid.isdigit():
        return True  # another machine's worker: its lease decides
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): the signal check is all we have
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
