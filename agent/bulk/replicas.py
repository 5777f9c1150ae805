"""Several `serve` replicas share bulk runs. Each replica looks, every little while, for active runs
with accounts nobody holds and helps draft them through `execute_run`: accounts are claimed per run
and customer (`SKIP LOCKED` on PostgreSQL), so the replicas split the work and draft each account
once, and a run whose replica died (a deploy, a crash) is finished by the others once its claims'
leases run out, instead of waiting for someone to type `--resume`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from agent.bulk.report import RunSummary
from agent.bulk.run import EXECUTING, execute_run
from agent.deps import AgentDeps
from storage import draft_runs

log = logging.getLogger(__name__)

JOIN_EVERY_SECONDS = 30


async def join_active_runs(
    deps: AgentDeps, *, workers: int | None = None, in_process: bool = False
) -> list[RunSummary]:
    """Help draft every active run with unclaimed accounts that this process is not already
    executing; one run after another (each uses the process's worker processes)."""
    async with deps.database.session() as session:
        run_ids = await draft_runs.joinable_runs(session, now=datetime.now(UTC))
    summaries: list[RunSummary] = []
    for run_id in run_ids:
        if run_id in EXECUTING:
            continue
        log.info("joining bulk run %s", run_id)
        summaries.append(await execute_run(deps, run_id, workers=workers, in_process=in_process))
    return summaries
