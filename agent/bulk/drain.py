"""The loop every executor of a run shares: claim a batch of the run's accounts, draft each with the
same path as a single generation (`draft_generation`: validation, review, provenance, kept edits),
save the batch's plans and their items' outcomes in one transaction, repeat until nothing is left.

One account's failure is recorded with its reason and the batch goes on; a batch that cannot be
saved whole (a plan changed under it) is saved plan by plan, so only the changed plan fails.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agent.deps import AgentDeps
from agent.generate import DraftedGeneration, GenerationRequest, draft_generation
from agent.regeneration import GenerationInputs, load_generation_inputs
from agent.section_writer import SectionWriter
from storage import draft_runs
from storage.db import Database
from storage.draft_runs import ItemResult
from storage.errors import AccountPlanError, Conflict
from storage.models import utcnow
from storage.plans import save_plan_version
from storage.vocabulary import RunItemState

log = logging.getLogger(__name__)

CHANGED_WHILE_DRAFTING = "the plan changed while it was being drafted; run again to redraft it"


def worker_id() -> str:
    """host:pid: a claim's holder, so a dead process's claims on this host can be released."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class DrainJob:
    """What a drain needs to know about its run (read once from the run's row)."""

    run_id: str
    fiscal_year: str
    as_of: date
    author: str
    surface: str
    offline: bool = True
    batch_size: int = 25


def failure_reason(error: BaseException) -> str:
    """One line for the summary: a domain error's own message, else the error's type and text."""
    if isinstance(error, AccountPlanError):
        return error.message
    text = " ".join(str(error).split())[:200]
    return f"unexpected {type(error).__name__}" + (f": {text}" if text else "")


async def drain(
    deps: AgentDeps,
    job: DrainJob,
    *,
    worker: str,
    writer: SectionWriter | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """Draft the run's accounts until none is left to claim (or `keep_going` says stop); returns
    how many plans this worker saved."""
    saved = 0
    while keep_going():
        customer_ids = await draft_runs.claim_items(
            deps.database, job.run_id, worker=worker, now=utcnow(), limit=job.batch_size
        )
        if not customer_ids:
            return saved
        drafted: list[tuple[str, DraftedGeneration]] = []
        failed: list[ItemResult] = []
        inputs = await _batch_inputs(deps, job, customer_ids)
        for customer_id in customer_ids:
            request = GenerationRequest(
                customer=customer_id,
                fiscal_year=job.fiscal_year,
                as_of=job.as_of,
                author=job.author,
                surface=job.surface,
                offline=job.offline,
            )
            try:
                drafted.append(
                    (
                        customer_id,
                        await draft_generation(
                            deps, request, customer_id, writer=writer, inputs=inputs.get(customer_id)
                        ),
                    )
                )
            except Exception as error:  # one account's failure must not stop the run
                log.info("run %s: %s failed: %s", job.run_id, customer_id, error, exc_info=True)
                failed.append(ItemResult(customer_id, RunItemState.FAILED, reason=failure_reason(error)))
        saved += await save_batch(deps.database, job, drafted, failed, worker=worker)
    return saved


async def _batch_inputs(deps: AgentDeps, job: DrainJob, customer_ids: list[str]) -> dict[str, GenerationInputs]:
    """The batch's contexts and saved plans in a few queries. If that fails, each account reads its
    own (and fails alone with its reason)."""
    try:
        async with deps.database.session() as session:
            return await load_generation_inputs(
                session,
                customer_ids,
                job.as_of,
                job.fiscal_year,
                start_month=deps.fiscal_year_start_month,
                keep_edits=True,
            )
    except Exception:
        log.info("run %s: reading the batch's inputs failed; reading them account by account", job.run_id, exc_info=True)
        return {}


async def save_batch(
    database: Database,
    job: DrainJob,
    drafted: list[tuple[str, DraftedGeneration]],
    failed: list[ItemResult],
    *,
    worker: str,
) -> int:
    """The batch's plans and every item's outcome in one transaction; plan by plan if that fails.
    Returns how many plans were saved."""
    try:
        async with database.session() as session:
            results = [await _save(session, job, customer_id, d) for customer_id, d in drafted]
            await session.flush()  # the batch's rows in one statement per table
            await draft_runs.record_results(session, job.run_id, [*results, *failed], worker=worker)
        return len(results)
    except (IntegrityError, Conflict):
        log.info("run %s: a plan of the batch changed while drafting; saving one by one", job.run_id)
    saved = 0
    for customer_id, d in drafted:
        try:
            async with database.session() as session:
                result = await _save(session, job, customer_id, d)
                await draft_runs.record_results(session, job.run_id, [result], worker=worker)
            saved += 1
        except (IntegrityError, Conflict):
            failed.append(ItemResult(customer_id, RunItemState.FAILED, reason=CHANGED_WHILE_DRAFTING))
    if failed:
        async with database.session() as session:
            await draft_runs.record_results(session, job.run_id, failed, worker=worker)
    return saved


async def _save(
    session: AsyncSession, job: DrainJob, customer_id: str, drafted: DraftedGeneration
) -> ItemResult:
    saved = await save_plan_version(
        session,
        drafted.document,
        author=job.author,
        reason=drafted.reason,
        surface=job.surface,
        # Drafted over version N (0: over no plan): if a person saved another version meanwhile,
        # this fails rather than hiding it.
        expected_version=drafted.stored_version or 0,
        kind="generated",
        flush=False,
    )
    usage = dict(drafted.document.generation_context.get("usage") or {}) or None
    return ItemResult(
        customer_id,
        RunItemState.DRAFTED,
        plan_id=saved.plan.id,
        version=saved.document.version,
        usage=usage,
    )
