"""Claude as a `SectionWriter`: the plan's sections drafted concurrently as jobs (see
`section_jobs`), one forced strict tool call per job whose input schema is the sections' pydantic
schema, validated and grounded on arrival part by part, with one repair turn that teaches (see
`repair`); a part still wrong - one objective, one week range, one section - is left to the offline
draft and `fallbacks` names exactly that part and why. Everything that passed stays Claude's.

Every call sends the same tools and system blocks (instructions + the account's data + the offline
draft), with a cache breakpoint after the data, so the context is written to the prompt cache once
(a tiny warm-up call, inside the overall deadline and never retried) and read by every job.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import cache
from importlib import resources
from typing import Any

from agent.claude.client import ClaudeClient, ClaudeUnavailable, Usage
from agent.claude.job_draft import JobDraft, JobResult, PlanDraft, assemble, content_params
from agent.claude.pricing import cost_usd
from agent.claude.repair import ReviewFn
from agent.claude.section_jobs import tool_definitions
from agent.review import review_plan
from agent.section_writer import ProgressCallback, ProgressEvent, SectionOutcome
from storage.plan_document import SECTIONS, AccountPlanDocument
from tools.analytics.context import PlanningContext

__all__ = ["ClaudeSectionWriter", "content_params", "fenced_json", "shared_system"]

log = logging.getLogger(__name__)

WARM_UP_MAX_TOKENS = 1


@cache
def generation_prompt() -> str:
    return resources.files("agent.claude.prompts").joinpath("generation.md").read_text(encoding="utf-8")


def shared_system(
    context: PlanningContext, fiscal_year: str, baseline: AccountPlanDocument
) -> list[dict[str, Any]]:
    """System blocks every call of one plan sends, byte for byte; the data is delimited as data."""
    draft = {s: baseline.to_json_dict()[s] for s in SECTIONS}
    block = (
        f"Fiscal year: {fiscal_year}\n<account_data>\n{fenced_json(context.model_dump(mode='json'))}\n"
        f"</account_data>\n<offline_draft>\n{fenced_json(draft)}\n</offline_draft>"
    )
    return [
        {"type": "text", "text": generation_prompt()},
        {"type": "text", "text": block, "cache_control": {"type": "ephemeral"}},
    ]


def fenced_json(value: Any) -> str:
    """Compact, stable JSON that cannot close the tag around it: customer text containing
    "</account_data>" stays inside the data (a JSON escape for "<" reads the same to the model)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).replace("<", "\\u003c")


class ClaudeSectionWriter:
    """Drafts plan sections with Claude; see the module docstring."""

    name = "claude"

    def __init__(
        self,
        client: ClaudeClient,
        *,
        warm_cache: bool = True,
        concurrent: bool = True,
        review: ReviewFn | None = review_plan,
    ) -> None:
        self.client = client
        self.warm_cache = warm_cache
        self.concurrent = concurrent  # False only to measure the sequential baseline (bench)
        # The plan review's error findings join the repair turn (None: no review).
        self.review = review

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        started = time.perf_counter()
        usage = Usage()
        system = shared_system(context, fiscal_year, baseline)
        plan = PlanDraft.create(context, fiscal_year, sections, baseline, self.review)
        jobs = plan.jobs
        results: dict[str, JobResult] = {}
        deadline = self.client.deadline

        async def run(draft: JobDraft) -> None:
            try:
                results[draft.job.key] = await self._draft(draft, system, usage)
            except Exception:  # a bug in one job must not sink the others; the draft covers it
                log.exception("drafting %s failed", draft.job.key)
                results[draft.job.key] = JobResult.failed(draft.job, "an internal error; see the logs")

        try:
            # One deadline for the whole plan, the cache warm-up included.
            async with asyncio.timeout(deadline):
                drafts = [plan.draft(job, self.client.max_tokens) for job in jobs]
                warm = self.warm_cache and len(jobs) > 1
                # The longest job goes out beside the warm-up (paying one cache write itself), so the
                # plan waits max(longest, warm-up + next longest) rather than warm-up + longest.
                head = max(drafts, key=lambda d: d.expected_output_tokens) if warm and self.concurrent else None
                async with asyncio.TaskGroup() as tasks:
                    if head is not None:
                        tasks.create_task(run(head))
                    stop = await self._warm_up(system, usage) if warm else None
                    if stop is None:
                        for section in sections:
                            await _report(progress, ProgressEvent(section, "started", "Claude"))
                        for draft in drafts:
                            if draft is head:
                                continue
                            if self.concurrent:
                                tasks.create_task(run(draft))
                            else:
                                await run(draft)
                if stop is not None:
                    results = {job.key: JobResult.failed(job, stop) for job in jobs}
        except TimeoutError:
            log.warning("claude drafting passed its %.0fs deadline", deadline)
        for job in jobs:
            results.setdefault(
                job.key, JobResult.failed(job, f"Claude did not answer within {deadline:.0f}s")
            )

        outcome, events = assemble(plan, results)
        for event in events:
            await _report(progress, event)
        tokens = usage.as_dict(self.client.model)
        outcome.usage = tokens | {
            "cost_usd": cost_usd(tokens, self.client.model, batch=False),
            "wall_ms": round((time.perf_counter() - started) * 1000, 1),
            "jobs": len(jobs),
            "repaired_jobs": sorted(k for k, r in results.items() if r.repaired),
            "fallback_sections": sorted(s for s in sections if outcome.offline_share.get(s)),
            "request_ids": usage.request_ids,
        }
        return outcome

    async def _warm_up(self, system: list[dict[str, Any]], usage: Usage) -> str | None:
        """Write the shared prefix to the prompt cache before the fan-out (concurrent requests
        cannot read a cache entry that is still being written). One attempt, no SDK retries: it
        only saves tokens, and retrying it would spend the plan's deadline. Returns a reason to
        stop when the API refuses us outright (a bad key will not get better by asking again)."""
        try:
            await self.client.create(
                purpose="cache warm-up",
                usage=usage,
                max_retries=0,
                system=system,
                tools=list(tool_definitions()),
                tool_choice={"type": "none"},
                max_tokens=WARM_UP_MAX_TOKENS,
                messages=[{"role": "user", "content": "Reply with OK."}],
            )
        except ClaudeUnavailable as error:
            if not error.retryable:
                return error.message
            log.info("cache warm-up failed (%s); drafting anyway", error.message)
        return None

    async def _draft(self, draft: JobDraft, system: list[dict[str, Any]], usage: Usage) -> JobResult:
        """One job's forced tool call, checked part by part on arrival, with one repair turn."""
        while True:
            try:
                message = await self.client.create(
                    purpose=f"draft {draft.job.key}",
                    usage=usage,
                    expected_output_tokens=draft.expected_output_tokens,
                    **draft.params(system),
                )
            except ClaudeUnavailable as error:
                return draft.failed(error.message)
            result = draft.take(message)
            if result is not None:
                return result
            log.info(
                "claude %s needs repair: %s", draft.job.key, "; ".join(p.text for p in draft.problems[:5])
            )


async def _report(progress: ProgressCallback | None, event: ProgressEvent) -> None:
    if progress is not None:
        await progress(event)
