"""Bulk drafting: a plan for every account in scope (`accountplan generate --all`, Slack's
`/accountplan draft-book`), recorded as a run in the database and resumable after a crash.

The API every surface uses:

    record = await start_run(deps, RunScope(csm="ana@example.com"), author=..., surface="slack")
    summary = await execute_run(deps, record.run_id, workers=2, on_progress=show)

- `start_run` stores the run and its accounts (those whose plan a person approved, submitted or
  edited are skipped with the reason, unless `include_edited`); Conflict when a run for the same
  books (`RunScope.scope_key`) is still active (`find_active_run` tells which).
- `execute_run` drafts what is left: offline in worker processes (the event loop only awaits
  them and polls progress), with Claude through interactive calls a few plans at a time, or with
  any executor registered for the run's mode (`register_executor`, e.g. Message Batches). Accounts
  are claimed per run and customer, so several processes may execute one run: each account is
  drafted once; an item is marked drafted in the transaction that saves its plan version.
- `join_active_runs` is what each `serve` replica runs every `JOIN_EVERY_SECONDS`: it helps draft
  active runs with unclaimed accounts, so replicas share a run and finish one whose replica died.
- `on_progress` receives a `RunProgress` (counts, rate, ETA) while counts change; the result is a
  `RunSummary` (the run's `RunRecord` plus skipped and failed reasons, grouped, with examples).
"""

from agent.bulk.drain import DrainJob, drain
from agent.bulk.replicas import JOIN_EVERY_SECONDS, join_active_runs
from agent.bulk.report import (
    ReasonGroup,
    RunProgress,
    RunRecord,
    RunSummary,
    list_run_records,
    load_summary,
    run_items,
)
from agent.bulk.run import (
    EXECUTORS,
    RunExecutor,
    default_workers,
    execute_run,
    find_active_run,
    register_executor,
    start_run,
)
from agent.bulk.scope import RunScope

__all__ = [
    "EXECUTORS",
    "JOIN_EVERY_SECONDS",
    "DrainJob",
    "ReasonGroup",
    "RunExecutor",
    "RunProgress",
    "RunRecord",
    "RunScope",
    "RunSummary",
    "default_workers",
    "drain",
    "execute_run",
    "find_active_run",
    "join_active_runs",
    "list_run_records",
    "load_summary",
    "register_executor",
    "run_items",
    "start_run",
]
