"""Drafting many plans through the Message Batches API, at half the price of interactive calls.

Every job of every plan becomes one batch request (the same parameters the interactive writer
sends: system blocks with the cache breakpoint, strict tools, the forced tool); the requests are
split into batches that respect the API's limits, submitted, and each batch id is handed to
`on_batch` as soon as it exists so the caller can store it. Ended batches' results (in any order,
matched by `custom_id`) are judged exactly as interactive answers are (`JobDraft.take`: validation,
grounding, the plan review); a job that needs its repair turn goes out in the next round's batch,
and a request that errored, expired or was canceled leaves its parts to the offline draft, with the
reason. Restarting with the stored batch ids downloads their results again and carries on from
there (results stay downloadable for 29 days), so nothing is asked twice.

Limits (https://platform.claude.com/docs/en/build-with-claude/batch-processing, "Batch
limitations"): a batch holds at most 100,000 requests or 256 MB, whichever comes first, and
processing ends within 24 hours (requests not done by then expire). `custom_id` must match
`^[a-zA-Z0-9_-]{1,64}$` (API reference, "Create a Message Batch").
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anthropic

from agent.claude.client import ClaudeClient, ClaudeUnavailable, Usage
from agent.claude.job_draft import REPAIR_TURNS, JobDraft, JobResult, PlanDraft, assemble
from agent.claude.pricing import cost_usd
from agent.claude.repair import ReviewFn
from agent.review import review_plan
from agent.section_writer import SectionOutcome
from storage.plan_document import AccountPlanDocument
from tools.analytics.context import PlanningContext

log = logging.getLogger(__name__)

MAX_BATCH_REQUESTS = 100_000
MAX_BATCH_BYTES = 256 * 1000 * 1000  # "256 MB", read as the smaller of MB and MiB
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
OnBatch = Callable[[str], Awaitable[None]]
T = TypeVar("T")

WHY = {
    "errored": "the batch request failed ({detail})",
    "expired": "the batch request expired before Claude answered (batches end within 24 hours)",
    "canceled": "the batch was canceled before Claude answered",
}


@dataclass
class BatchPlanInput:
    """One plan to draft: what the interactive writer would be given."""

    customer_id: str
    context: PlanningContext
    fiscal_year: str
    sections: tuple[str, ...]
    baseline: AccountPlanDocument


@dataclass
class _Plan:
    customer_id: str
    draft: PlanDraft
    system: list[dict[str, Any]]
    jobs: dict[str, JobDraft]  # job key -> its conversation
    results: dict[str, JobResult] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)


def custom_id(customer_id: str, job_key: str, attempt: int) -> str:
    """The request's id: readable when it fits the API's pattern, else a digest of the same."""
    readable = f"a{attempt}-{customer_id}-{job_key.replace(':', '_')}"
    if CUSTOM_ID.match(readable):
        return readable
    digest = hashlib.sha256(f"{attempt}/{customer_id}/{job_key}".encode()).hexdigest()[:40]
    return f"a{attempt}-{digest}"


def split_requests(
    requests: list[dict[str, Any]],
    *,
    max_requests: int = MAX_BATCH_REQUESTS,
    max_bytes: int = MAX_BATCH_BYTES,
) -> Iterator[list[dict[str, Any]]]:
    """Consecutive groups of requests that each fit one batch (count and JSON body size)."""
    group: list[dict[str, Any]] = []
    size = len('{"requests":[]}')
    for request in requests:
        length = len(json.dumps(request, separators=(",", ":"), default=str).encode()) + 1
        if group and (len(group) >= max_requests or size + length > max_bytes):
            yield group
            group, size = [], len('{"requests":[]}')
        group.append(request)
        size += length
    if group:
        yield group


class BatchDrafter:
    """See the module docstring. One per run; `run` may be called again after a restart."""

    def __init__(
        self,
        client: ClaudeClient,
        *,
        review: ReviewFn | None = review_plan,
        poll_seconds: float = 30.0,
        max_requests: int = MAX_BATCH_REQUESTS,
        max_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self.client = client
        self.review = review
        self.poll_seconds = poll_seconds
        self.max_requests, self.max_bytes = max_requests, max_bytes

    async def run(
        self, inputs: list[BatchPlanInput], batch_ids: list[str], on_batch: OnBatch
    ) -> dict[str, SectionOutcome]:
        """Draft every plan: resume the batches in `batch_ids` (stored earlier), submit what is
        left round by round, and return each customer's outcome (usage and cost included)."""
        from agent.claude.workflow import shared_system

        plans: dict[str, _Plan] = {}
        for item in inputs:
            draft = PlanDraft.create(
                item.context, item.fiscal_year, item.sections, item.baseline, self.review
            )
            jobs = {job.key: draft.draft(job, self.client.max_tokens) for job in draft.jobs}
            system = shared_system(item.context, item.fiscal_year, item.baseline)
            plans[item.customer_id] = _Plan(item.customer_id, draft, system, jobs)
        known, applied = list(batch_ids), 0
        while True:
            lines = []
            for batch_id in known[applied:]:
                lines += await self._results(batch_id)
            applied = len(known)
            self._apply(plans, lines)
            requests = self._pending(plans, {line["custom_id"] for line in lines})
            if not requests:
                break
            for group in split_requests(requests, max_requests=self.max_requests, max_bytes=self.max_bytes):
                batch = await _api(self.client.sdk.messages.batches.create(requests=group))  # pyright: ignore[reportArgumentType]
                log.info("submitted Claude batch %s (%d requests)", batch.id, len(group))
                known.append(batch.id)
                await on_batch(batch.id)
        return {customer: self._outcome(plan, known) for customer, plan in plans.items()}

    def _pending(self, plans: dict[str, _Plan], answered: set[str]) -> list[dict[str, Any]]:
        """The next request of every job still open that no stored batch has answered."""
        requests = []
        for plan in plans.values():
            for key, draft in plan.jobs.items():
                if key in plan.results:
                    continue
                cid = custom_id(plan.customer_id, key, draft.attempt)
                if cid in answered:
                    continue
                params = draft.params(plan.system) | {
                    "model": self.client.model,
                    "max_tokens": self.client.max_tokens,
                }
                requests.append({"custom_id": cid, "params": params})
        return requests

    async def _results(self, batch_id: str) -> list[dict[str, Any]]:
        """A batch's results once it has ended (polled), as plain dicts."""
        while True:
            batch = await _api(self.client.sdk.messages.batches.retrieve(batch_id))
            if batch.processing_status == "ended":
                break
            await asyncio.sleep(self.poll_seconds)
        decoder = await _api(self.client.sdk.messages.batches.results(batch_id))
        return [{"custom_id": line.custom_id, "result": line.result} async for line in decoder]

    def _apply(self, plans: dict[str, _Plan], lines: list[dict[str, Any]]) -> None:
        """Judge every answer, earliest attempt first (a repair answer follows its first answer)."""
        index: dict[str, tuple[_Plan, str]] = {}
        for plan in plans.values():
            for key in plan.jobs:
                for attempt in range(REPAIR_TURNS + 1):
                    index[custom_id(plan.customer_id, key, attempt)] = (plan, key)
        for line in sorted(lines, key=lambda item: item["custom_id"]):
            found = index.get(line["custom_id"])
            if found is None:  # a job the data no longer has (the account changed since submitting)
                log.info("batch result %s matches no job of this run; ignored", line["custom_id"])
                continue
            plan, key = found
            draft, result = plan.jobs[key], line["result"]
            if key in plan.results:
                continue
            if result.type == "succeeded":
                plan.usage.add(result.message, 0.0)
                taken = draft.take(result.message)
                if taken is not None:
                    plan.results[key] = taken
            else:
                detail = (
                    getattr(getattr(getattr(result, "error", None), "error", None), "type", "") or "error"
                )
                plan.results[key] = draft.failed(WHY.get(result.type, "{detail}").format(detail=detail))

    def _outcome(self, plan: _Plan, batch_ids: list[str]) -> SectionOutcome:
        for key, draft in plan.jobs.items():
            plan.results.setdefault(key, draft.failed("no batch answered this job"))
        outcome, _ = assemble(plan.draft, plan.results)
        usage = plan.usage.as_dict(self.client.model)
        outcome.usage = usage | {
            "batch": True,
            "cost_usd": cost_usd(usage, self.client.model, batch=True),
            "interactive_cost_usd": cost_usd(usage, self.client.model, batch=False),
            "jobs": len(plan.jobs),
            "repaired_jobs": sorted(k for k, r in plan.results.items() if r.repaired),
            "fallback_sections": sorted(s for s in plan.draft.sections if outcome.offline_share.get(s)),
            "batch_ids": list(batch_ids),
        }
        return outcome


async def _api(call: Awaitable[T]) -> T:
    """A Batches API call whose failure says what failed (the run stays resumable from its ids)."""
    try:
        return await call
    except anthropic.APIStatusError as error:
        raise ClaudeUnavailable(
            f"the Message Batches API answered {error.status_code}; run again to resume",
            status=error.status_code,
            request_id=error.request_id,
            retryable=True,
        ) from error
    except anthropic.APIConnectionError as error:
        raise ClaudeUnavailable(
            "could not reach the Message Batches API; run again to resume", retryable=True
        ) from error
