"""Claude as a `SectionWriter`: the plan's sections drafted concurrently as jobs (see
`section_jobs`), one forced tool call per job whose input schema is the sections' pydantic schema,
validated and grounded on arrival, with one repair turn; anything still wrong is left to the
offline draft.

Every call sends the same tools and system blocks (instructions + the account's data + the offline
draft), with a cache breakpoint after the data, so the context is written to the prompt cache once
(a tiny warm-up call) and read by every group call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import TypeAdapter, ValidationError

from agent.claude.client import ClaudeClient, ClaudeUnavailable, Usage
from agent.claude.grounding import GroundingFacts, check_sections
from agent.claude.section_jobs import DraftJob, assemble, check_answer, plan_jobs, tool_definitions
from agent.section_writer import ProgressCallback, ProgressEvent, SectionOutcome
from storage.plan_document import SECTION_MODELS, SECTIONS, AccountPlanDocument
from tools.analytics.context import PlanningContext
from tools.plans.edits import validation_problems

log = logging.getLogger(__name__)

REPAIR_TURNS = 1
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
    answer: dict[str, Any] = field(default_factory=dict)  # section -> JSON part
    failure: str | None = None
    repaired: bool = False


class ClaudeSectionWriter:
    """Drafts plan sections with Claude; see the module docstring."""

    name = "claude"

    def __init__(self, client: ClaudeClient, *, warm_cache: bool = True, concurrent: bool = True) -> None:
        self.client = client
        self.warm_cache = warm_cache
        self.concurrent = concurrent  # False only to measure the sequential baseline (bench)

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
        jobs = plan_jobs(sections, baseline, fiscal_year)
        results: dict[str, _JobResult] = {}

        stop = await self._warm_up(system, usage) if self.warm_cache and len(jobs) > 1 else None
        if stop is not None:
            results = {job.key: _JobResult(failure=stop) for job in jobs}
        else:
            for section in sections:
                await _report(progress, ProgressEvent(section, "started", "Claude"))

            async def run(job: DraftJob) -> None:
                try:
                    results[job.key] = await self._draft(job, system, facts, baseline, usage)
                except Exception:  # a bug in one job must not sink the others; the draft covers it
                    log.exception("drafting %s failed", job.key)
                    results[job.key] = _JobResult(failure="an internal error; see the logs")

            remaining = max(0.0, self.client.deadline - (time.perf_counter() - started))
            try:
                async with asyncio.timeout(remaining):
                    if self.concurrent:
                        async with asyncio.TaskGroup() as tasks:
                            for job in jobs:
                                tasks.create_task(run(job))
                    else:
                        for job in jobs:
                            await run(job)
            except TimeoutError:
                log.warning("claude drafting passed its %.0fs deadline", self.client.deadline)
            for job in jobs:
                results.setdefault(
                    job.key, _JobResult(failure=f"Claude did not answer within {self.client.deadline:.0f}s")
                )

        outcome = SectionOutcome(sections={}, fallbacks={})
        for section in sections:
            failed = [
                results[j.key].failure for j in jobs if section in j.sections and results[j.key].failure
            ]
            if failed:
                outcome.fallbacks[section] = str(failed[0])
        good = [j for j in jobs if not any(s in outcome.fallbacks for s in j.sections)]
        for section, value in assemble(good, {j.key: results[j.key].answer for j in good}).items():
            try:
                outcome.sections[section] = _section_adapter(section).validate_python(value)
            except ValidationError as error:  # e.g. every week range came back empty
                outcome.fallbacks[section] = (
                    "the assembled section is invalid: " + validation_problems(error)[0]
                )
                continue
            await _report(progress, ProgressEvent(section, "done", "Claude"))
        outcome.usage = usage.as_dict(self.client.model) | {
            "wall_ms": round((time.perf_counter() - started) * 1000, 1),
            "jobs": len(jobs),
            "repaired_jobs": sorted(k for k, r in results.items() if r.repaired),
            "fallback_sections": sorted(outcome.fallbacks),
            "request_ids": usage.request_ids,
        }
        return outcome

    async def _warm_up(self, system: list[dict[str, Any]], usage: Usage) -> str | None:
        """Write the shared prefix to the prompt cache before the fan-out (concurrent requests
        cannot read a cache entry that is still being written). Returns a reason to stop when the
        API refuses us outright (a bad key will not get better by asking a dozen more times)."""
        try:
            await self.client.create(
                purpose="cache warm-up",
                usage=usage,
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
        baseline: AccountPlanDocument,
        usage: Usage,
    ) -> _JobResult:
        """One job's forced tool call, checked on arrival, with one repair turn."""
        messages: list[dict[str, Any]] = [{"role": "user", "content": job.instruction}]
        problems: list[str] = []
        for attempt in range(REPAIR_TURNS + 1):
            try:
                message = await self.client.create(
                    purpose=f"draft {job.key}",
                    usage=usage,
                    system=system,
                    tools=list(tool_definitions()),
                    tool_choice={"type": "tool", "name": job.tool},
                    messages=messages,
                )
            except ClaudeUnavailable as error:
                return _JobResult(failure=error.message)
            call = next((b for b in message.content if b.type == "tool_use" and b.name == job.tool), None)
            if call is None:
                return _JobResult(
                    failure=f"Claude answered without calling {job.tool} ({message.stop_reason})"
                )
            answer: dict[str, Any] = {}
            if message.stop_reason == "max_tokens":
                problems = [
                    f"your answer was cut off at the {self.client.max_tokens}-token limit; write more concisely"
                ]
            else:
                answer, problems = check_answer(job, call.input, baseline)
                if not problems:
                    problems = check_sections(answer, facts)
            if not problems:
                return _JobResult(answer=answer, repaired=attempt > 0)
            log.info("claude %s needs repair: %s", job.key, "; ".join(problems[:5]))
            messages += [
                {"role": "assistant", "content": content_params(message)},
                {
                    "role": "user",
                    "content": [{
                        "type": "tool_result", "tool_use_id": call.id, "is_error": True,
                        "content": "Fix these problems and call the tool again:\n- " + "\n- ".join(problems),
                    }],
                },
            ]  # fmt: skip
        return _JobResult(failure="still invalid after a repair turn: " + "; ".join(problems[:3]))


@cache
def _section_adapter(section: str) -> TypeAdapter[Any]:
    return TypeAdapter(SECTION_MODELS[section])


async def _report(progress: ProgressCallback | None, event: ProgressEvent) -> None:
    if progress is not None:
        await progress(event)
