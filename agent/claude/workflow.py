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
import re
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import TypeAdapter, ValidationError

from agent.claude.balance import expected_output_tokens, plan_jobs
from agent.claude.client import ClaudeClient, ClaudeUnavailable, Usage
from agent.claude.grounding import GroundingFacts, ground_sections
from agent.claude.repair import PlanReviewer, ReviewFn, repair_message
from agent.claude.section_jobs import (
    DraftJob,
    JobProblem,
    merge_parts,
    read_answer,
    tool_definitions,
)
from agent.review import review_plan
from agent.section_writer import ProgressCallback, ProgressEvent, SectionOutcome
from storage.plan_document import SECTION_MODELS, SECTIONS, AccountPlanDocument
from tools.analytics.context import PlanningContext
from tools.plans.edits import validation_problems

log = logging.getLogger(__name__)

REPAIR_TURNS = 1
WARM_UP_MAX_TOKENS = 1
OUTPUT_MARGIN = 1.25


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


def content_params(message: Any) -> list[dict[str, Any]]:
    """An assistant message's blocks as request params (for sending the history back)."""
    blocks: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            blocks.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
    return blocks


@dataclass
class _JobResult:
    parts: dict[str, Any] = field(default_factory=dict)  # part -> document JSON that passed every check
    failures: dict[str, str] = field(default_factory=dict)  # part -> why it is left to the offline draft
    repaired: bool = False

    @classmethod
    def failed(cls, job: DraftJob, reason: str, parts: dict[str, Any] | None = None) -> _JobResult:
        kept = parts or {}
        return cls(parts=kept, failures={p: reason for p in job.parts if p not in kept})


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
        # The offline draft is computed from the same data, so its figures (rounded targets, weighted
        # totals) count as grounded too.
        facts = GroundingFacts.from_context(context).with_document(baseline)
        reviewer = PlanReviewer(self.review, baseline, context) if self.review else None
        jobs = plan_jobs(sections, baseline, fiscal_year)
        results: dict[str, _JobResult] = {}
        deadline = self.client.deadline

        async def run(job: DraftJob) -> None:
            try:
                results[job.key] = await self._draft(job, system, facts, reviewer, baseline, usage)
            except Exception:  # a bug in one job must not sink the others; the draft covers it
                log.exception("drafting %s failed", job.key)
                results[job.key] = _JobResult.failed(job, "an internal error; see the logs")

        try:
            # One deadline for the whole plan, the cache warm-up included.
            async with asyncio.timeout(deadline):
                stop = await self._warm_up(system, usage) if self.warm_cache and len(jobs) > 1 else None
                if stop is not None:
                    results = {job.key: _JobResult.failed(job, stop) for job in jobs}
                else:
                    for section in sections:
                        await _report(progress, ProgressEvent(section, "started", "Claude"))
                    if self.concurrent:
                        async with asyncio.TaskGroup() as tasks:
                            for job in jobs:
                                tasks.create_task(run(job))
                    else:
                        for job in jobs:
                            await run(job)
        except TimeoutError:
            log.warning("claude drafting passed its %.0fs deadline", deadline)
        for job in jobs:
            results.setdefault(
                job.key, _JobResult.failed(job, f"Claude did not answer within {deadline:.0f}s")
            )

        outcome = await self._outcome(jobs, results, sections, baseline, progress)
        outcome.usage = usage.as_dict(self.client.model) | {
            "wall_ms": round((time.perf_counter() - started) * 1000, 1),
            "jobs": len(jobs),
            "repaired_jobs": sorted(k for k, r in results.items() if r.repaired),
            "fallback_sections": sorted(s for s in sections if outcome.offline_share.get(s)),
            "request_ids": usage.request_ids,
        }
        return outcome

    async def _outcome(
        self,
        jobs: list[DraftJob],
        results: dict[str, _JobResult],
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        """Put the parts that passed together; name each part that fell back, once."""
        passed: dict[str, Any] = {}
        failures: dict[str, str] = {}
        for result in results.values():
            passed |= result.parts
            failures |= result.failures
        outcome = SectionOutcome(sections={}, fallbacks={})
        merged = merge_parts(baseline, jobs, passed, sections)
        for section in sections:
            parts = [
                p for job in jobs if section in job.sections for p in job.parts if _section_of(p) == section
            ]
            failed = [p for p in parts if p in failures]
            if failed and len(failed) == len(parts) and len({failures[p] for p in failed}) == 1:
                outcome.fallbacks[section] = failures[failed[0]]  # all of it, for one reason: say it once
                outcome.offline_share[section] = 1.0
                continue
            for part in failed:
                outcome.fallbacks[part] = failures[part]
            try:
                outcome.sections[section] = _section_adapter(section).validate_python(merged[section])
            except ValidationError as error:  # the parts do not fit together; the draft's section does
                for part in failed:
                    del outcome.fallbacks[part]
                outcome.fallbacks[section] = (
                    "the assembled section is invalid: " + validation_problems(error)[0]
                )
                outcome.offline_share[section] = 1.0
                continue
            outcome.offline_share[section] = len(failed) / len(parts) if parts else 0.0
            state = "fallback" if failed and len(failed) == len(parts) else "done"
            await _report(
                progress, ProgressEvent(section, state, "Claude" if state == "done" else "offline draft")
            )
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

    async def _draft(
        self,
        job: DraftJob,
        system: list[dict[str, Any]],
        facts: GroundingFacts,
        reviewer: PlanReviewer | None,
        baseline: AccountPlanDocument,
        usage: Usage,
    ) -> _JobResult:
        """One job's forced tool call, checked part by part on arrival, with one repair turn."""
        messages: list[dict[str, Any]] = [{"role": "user", "content": job.instruction}]
        # What the pacing reserves: the draft's size of this part, with a margin for rewording.
        expected = int(expected_output_tokens(job, baseline) * OUTPUT_MARGIN)
        passed: dict[str, Any] = {}
        problems: list[JobProblem] = []
        for attempt in range(REPAIR_TURNS + 1):
            try:
                message = await self.client.create(
                    purpose=f"draft {job.key}",
                    usage=usage,
                    expected_output_tokens=expected,
                    system=system,
                    tools=list(tool_definitions()),
                    tool_choice={"type": "tool", "name": job.tool},
                    messages=messages,
                )
            except ClaudeUnavailable as error:
                return _JobResult.failed(job, error.message, passed)
            call = next((b for b in message.content if b.type == "tool_use" and b.name == job.tool), None)
            if call is None:
                return _JobResult.failed(
                    job, f"Claude answered without calling {job.tool} ({message.stop_reason})", passed
                )
            if message.stop_reason == "max_tokens":
                parts, problems = {}, [JobProblem(None, "schema", (
                    f"your answer was cut off at the {self.client.max_tokens}-token limit; write more concisely"))]  # fmt: skip
            else:
                parts, problems = self._check(job, call.input, facts, reviewer, baseline)
            failing = {p.part for p in problems}
            if None not in failing:
                passed |= {part: value for part, value in parts.items() if part not in failing}
            if all(part in passed for part in job.parts):
                return _JobResult(parts=passed, repaired=attempt > 0)
            log.info("claude %s needs repair: %s", job.key, "; ".join(p.text for p in problems[:5]))
            messages += [
                {"role": "assistant", "content": content_params(message)},
                {
                    "role": "user",
                    "content": [{
                        "type": "tool_result", "tool_use_id": call.id, "is_error": True,
                        "content": repair_message(job, [p for p in problems if p.part not in passed]),
                    }],
                },
            ]  # fmt: skip
        result = _JobResult(parts=passed, repaired=bool(passed))
        for part in job.parts:
            if part not in passed:
                mine = [p.text for p in problems if p.part in (part, None)]
                result.failures[part] = "still not grounded after a repair turn: " + "; ".join(mine[:3])
        return result

    def _check(
        self,
        job: DraftJob,
        tool_input: Any,
        facts: GroundingFacts,
        reviewer: PlanReviewer | None,
        baseline: AccountPlanDocument,
    ) -> tuple[dict[str, Any], list[JobProblem]]:
        """An answer's parts and every problem with them, by part: schema, grounding, then the plan
        review (on the parts that passed the rest)."""
        parts, problems = read_answer(job, tool_input, baseline)
        schema_failed = {p.part for p in problems}
        for part, value in parts.items():
            if part in schema_failed:
                continue
            for problem in ground_sections(job.as_sections(part, value), facts).problems:
                problems.append(
                    JobProblem(
                        part, problem.kind, f"{job.tool_path(problem.path)}: {problem.message}", problem.hint
                    )
                )
        if reviewer is not None:
            clean = {p: v for p, v in parts.items() if p not in {q.part for q in problems}}
            problems += reviewer.problems(job, clean)
        return parts, problems


def _section_of(part: str) -> str:
    return re.split(r"[.\[]", part, maxsplit=1)[0]


@cache
def _section_adapter(section: str) -> TypeAdapter[Any]:
    return TypeAdapter(SECTION_MODELS[section])


async def _report(progress: ProgressCallback | None, event: ProgressEvent) -> None:
    if progress is not None:
        await progress(event)
