"""The run executor for `--batch`: every job of every plan of the run through Claude's Message
Batches API (`agent.claude.batch`), at batch prices.

1. Claim every pending account of the run (for the batch window: results can take up to 24 hours).
2. Read what each plan's writer would be given - planning context, fiscal year, sections, offline
   draft - by running the same generation path with a writer that only records its inputs.
3. Draft them all in batches; each batch id is stored on the run as soon as it exists, so a
   restart resumes polling instead of paying again.
4. Save each plan through the same generation path, its writer handing back the batch outcome
   (validation, grounding, review, kept edits, provenance as for any plan), in transactions of
   `SAVE_CHUNK` plans with their items; usage and cost at batch prices per plan (the item's usage,
   the plan's `generation_context.usage`) and per run (`draft_runs.usage`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from agent.bulk.drain import DrainJob, failure_reason, save_batch, worker_id
from agent.claude.batch import BatchDrafter, BatchPlanInput
from agent.deps import AgentDeps
from agent.generate import DraftedGeneration, GenerationRequest, draft_generation
from agent.section_writer import ProgressCallback, SectionOutcome
from storage import draft_runs
from storage.draft_runs import ItemResult
from storage.errors import BadInput
from storage.models import utcnow
from storage.plan_document import AccountPlanDocument
from storage.vocabulary import RunItemState
from tools.analytics.context import PlanningContext

log = logging.getLogger(__name__)

# Longer than a batch may take to end (24 hours), so no other executor claims these accounts meanwhile.
BATCH_LEASE = timedelta(hours=25)
CLAIM_LIMIT = 100_000
SAVE_CHUNK = 25
USAGE_KEYS = ("calls", "input_tokens", "output_tokens", "cache_read_input_tokens",
              "cache_creation_input_tokens", "cost_usd", "interactive_cost_usd")  # fmt: skip


class _RecordInputs:
    """A writer that records what it is given and writes nothing (step 2)."""

    name = "claude"

    def __init__(self, customer_id: str, inputs: list[BatchPlanInput]) -> None:
        self.customer_id, self.inputs = customer_id, inputs

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        self.inputs.append(BatchPlanInput(self.customer_id, context, fiscal_year, sections, baseline))
        return SectionOutcome(sections={}, fallbacks={})


class _BatchOutcome:
    """A writer that hands back a plan's batch outcome (step 4)."""

    name = "claude"

    def __init__(self, outcome: SectionOutcome) -> None:
        self.outcome = outcome

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        return self.outcome


async def batch_executor(deps: AgentDeps, job: DrainJob, *, workers: int, in_process: bool) -> int:
    """Draft the run's pending accounts through Message Batches (`workers` does not apply: the
    API does the work; this process polls). Returns how many plans were saved."""
    if deps.claude is None:
        raise BadInput("--batch needs Claude: set ANTHROPIC_API_KEY, or drop --batch")
    worker = worker_id()
    customers = await draft_runs.claim_items(
        deps.database, job.run_id, worker=worker, now=utcnow(), limit=CLAIM_LIMIT, lease=BATCH_LEASE
    )
    if not customers:
        return 0
    inputs: list[BatchPlanInput] = []
    failed: list[ItemResult] = []
    for customer_id in customers:
        try:
            await draft_generation(
                deps, _request(job, customer_id), customer_id, writer=_RecordInputs(customer_id, inputs)
            )
        except Exception as error:  # one account's failure must not stop the run
            failed.append(ItemResult(customer_id, RunItemState.FAILED, reason=failure_reason(error)))
    async with deps.database.session() as session:
        stored = list((await draft_runs.get_run(session, job.run_id)).batch_ids)

    async def remember(batch_id: str) -> None:
        async with deps.database.session() as session:
            await draft_runs.add_batch_ids(session, job.run_id, [batch_id])

    drafter = BatchDrafter(deps.claude, poll_seconds=deps.settings.anthropic_batch_poll_seconds)
    outcomes = await drafter.run(inputs, stored, remember)
    drafted: list[tuple[str, DraftedGeneration]] = []
    for item in inputs:
        try:
            writer = _BatchOutcome(outcomes[item.customer_id])
            drafted.append((item.customer_id, await draft_generation(
                deps, _request(job, item.customer_id), item.customer_id, writer=writer)))  # fmt: skip
        except Exception as error:
            failed.append(ItemResult(item.customer_id, RunItemState.FAILED, reason=failure_reason(error)))
    saved = 0
    for start in range(0, max(len(drafted), 1), SAVE_CHUNK):
        chunk = drafted[start : start + SAVE_CHUNK]
        saved += await save_batch(deps.database, job, chunk, failed if start == 0 else [], worker=worker)
        async with deps.database.session() as session:
            await draft_runs.add_usage(session, job.run_id, run_usage(d for _, d in chunk))
    return saved


def run_usage(drafted: Any) -> dict[str, Any]:
    """Tokens and cost of some plans, summed (the run adds them to its totals)."""
    total: dict[str, Any] = {"batch": True}
    for generation in drafted:
        usage = generation.document.generation_context.get("usage") or {}
        for key in USAGE_KEYS:
            total[key] = round(total.get(key, 0) + usage.get(key, 0), 6)
        total["plans"] = total.get("plans", 0) + 1
    return total


def _request(job: DrainJob, customer_id: str) -> GenerationRequest:
    return GenerationRequest(
        customer=customer_id,
        fiscal_year=job.fiscal_year,
        as_of=job.as_of,
        author=job.author,
        surface=job.surface,
    )
