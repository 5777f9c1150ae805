"""One plan's drafting jobs as state that does not care how the answers arrive: the interactive
writer (`workflow`) sends each request and feeds the answer back at once; the batch drafter
(`batch`) sends every job of every plan through the Message Batches API and feeds the answers back
when the batch ends. Both judge answers the same way - validation, grounding, the plan review, one
repair turn that teaches, per-part fallback - because both go through `JobDraft.take` and
`assemble`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from agent.claude.balance import expected_output_tokens, plan_jobs
from agent.claude.grounding import GroundingFacts, ground_sections
from agent.claude.repair import PlanReviewer, ReviewFn, repair_message
from agent.claude.section_jobs import DraftJob, JobProblem, merge_parts, read_answer, tool_definitions
from agent.section_writer import ProgressEvent, SectionOutcome
from storage.plan_document import SECTION_MODELS, AccountPlanDocument
from tools.analytics.context import PlanningContext
from tools.plans.edits import validation_problems

REPAIR_TURNS = 1
# What pacing reserves for an answer: the draft's size of the part, with a margin for rewording.
OUTPUT_MARGIN = 1.25


@dataclass
class JobResult:
    parts: dict[str, Any] = field(default_factory=dict)  # part -> document JSON that passed every check
    failures: dict[str, str] = field(default_factory=dict)  # part -> why it is left to the offline draft
    repaired: bool = False

    @classmethod
    def failed(cls, job: DraftJob, reason: str, parts: dict[str, Any] | None = None) -> JobResult:
        kept = parts or {}
        return cls(parts=kept, failures={p: reason for p in job.parts if p not in kept})


@dataclass
class AnswerChecker:
    """Everything an answer of one plan is checked against."""

    facts: GroundingFacts
    reviewer: PlanReviewer | None
    baseline: AccountPlanDocument

    def check(self, job: DraftJob, tool_input: Any) -> tuple[dict[str, Any], list[JobProblem]]:
        """An answer's parts and every problem with them, by part: schema, grounding, then the plan
        review (on the parts that passed the rest)."""
        parts, problems = read_answer(job, tool_input, self.baseline)
        schema_failed = {p.part for p in problems}
        for part, value in parts.items():
            if part in schema_failed:
                continue
            for problem in ground_sections(job.as_sections(part, value), self.facts).problems:
                problems.append(
                    JobProblem(
                        part, problem.kind, f"{job.tool_path(problem.path)}: {problem.message}", problem.hint
                    )
                )
        if self.reviewer is not None:
            clean = {p: v for p, v in parts.items() if p not in {q.part for q in problems}}
            problems += self.reviewer.problems(job, clean)
        return parts, problems


@dataclass
class JobDraft:
    """One job's conversation: the request to send next, and what its answers have earned so far."""

    job: DraftJob
    checker: AnswerChecker
    max_tokens: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    passed: dict[str, Any] = field(default_factory=dict)
    problems: list[JobProblem] = field(default_factory=list)
    attempt: int = 0  # answers taken so far

    def __post_init__(self) -> None:
        if not self.messages:
            self.messages = [{"role": "user", "content": self.job.instruction}]

    @property
    def expected_output_tokens(self) -> int:
        return int(expected_output_tokens(self.job, self.checker.baseline) * OUTPUT_MARGIN)

    def params(self, system: list[dict[str, Any]]) -> dict[str, Any]:
        """The Messages API parameters of the next request (model and max_tokens: the caller's)."""
        return {
            "system": system,
            "tools": list(tool_definitions()),
            "tool_choice": {"type": "tool", "name": self.job.tool},
            "messages": list(self.messages),
        }

    def take(self, message: Any) -> JobResult | None:
        """Judge an answer: the job's result when it is finished, None when a repair turn follows
        (its request is then `params` again)."""
        job = self.job
        self.attempt += 1
        call = next((b for b in message.content if b.type == "tool_use" and b.name == job.tool), None)
        if call is None:
            return JobResult.failed(
                job, f"Claude answered without calling {job.tool} ({message.stop_reason})", self.passed
            )
        if message.stop_reason == "max_tokens":
            parts, problems = {}, [JobProblem(None, "schema", (
                f"your answer was cut off at the {self.max_tokens}-token limit; write more concisely"))]  # fmt: skip
        else:
            parts, problems = self.checker.check(job, call.input)
        self.problems = problems
        failing = {p.part for p in problems}
        if None not in failing:
            self.passed |= {part: value for part, value in parts.items() if part not in failing}
        if all(part in self.passed for part in job.parts):
            return JobResult(parts=self.passed, repaired=self.attempt > 1)
        if self.attempt > REPAIR_TURNS:
            result = JobResult(parts=self.passed, repaired=bool(self.passed))
            for part in job.parts:
                if part not in self.passed:
                    mine = [p.text for p in problems if p.part in (part, None)]
                    result.failures[part] = "still not grounded after a repair turn: " + "; ".join(mine[:3])
            return result
        self.messages += [
            {"role": "assistant", "content": content_params(message)},
            {
                "role": "user",
                "content": [{
                    "type": "tool_result", "tool_use_id": call.id, "is_error": True,
                    "content": repair_message(job, [p for p in problems if p.part not in self.passed]),
                }],
            },
        ]  # fmt: skip
        return None

    def failed(self, reason: str) -> JobResult:
        return JobResult.failed(self.job, reason, self.passed)


@dataclass
class PlanDraft:
    """One plan's jobs and what their answers are checked against."""

    sections: tuple[str, ...]
    baseline: AccountPlanDocument
    jobs: list[DraftJob]
    checker: AnswerChecker

    @classmethod
    def create(
        cls,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        review: ReviewFn | None,
    ) -> PlanDraft:
        # The offline draft is computed from the same data, so its figures (rounded targets, weighted
        # totals) count as grounded too.
        facts = GroundingFacts.from_context(context).with_document(baseline)
        reviewer = PlanReviewer(review, baseline, context) if review else None
        jobs = plan_jobs(sections, baseline, fiscal_year)
        return cls(sections, baseline, jobs, AnswerChecker(facts, reviewer, baseline))

    def draft(self, job: DraftJob, max_tokens: int) -> JobDraft:
        return JobDraft(job, self.checker, max_tokens)


def content_params(message: Any) -> list[dict[str, Any]]:
    """An assistant message's blocks as request params (for sending the history back)."""
    blocks: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            blocks.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
    return blocks


def assemble(plan: PlanDraft, results: dict[str, JobResult]) -> tuple[SectionOutcome, list[ProgressEvent]]:
    """Put the parts that passed together; name each part that fell back, once. Returns the outcome
    and the progress events to report for it."""
    jobs, sections, baseline = plan.jobs, plan.sections, plan.baseline
    passed: dict[str, Any] = {}
    failures: dict[str, str] = {}
    for result in results.values():
        passed |= result.parts
        failures |= result.failures
    outcome = SectionOutcome(sections={}, fallbacks={})
    events: list[ProgressEvent] = []
    merged = merge_parts(baseline, jobs, passed, sections)
    for section in sections:
        parts = [p for job in jobs if section in job.sections for p in job.parts if _section_of(p) == section]
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
            outcome.fallbacks[section] = "the assembled section is invalid: " + validation_problems(error)[0]
            outcome.offline_share[section] = 1.0
            continue
        outcome.offline_share[section] = len(failed) / len(parts) if parts else 0.0
        state = "fallback" if failed and len(failed) == len(parts) else "done"
        events.append(ProgressEvent(section, state, "Claude" if state == "done" else "offline draft"))
    return outcome, events


def _section_of(part: str) -> str:
    return re.split(r"[.\[]", part, maxsplit=1)[0]


@cache
def _section_adapter(section: str) -> TypeAdapter[Any]:
    return TypeAdapter(SECTION_MODELS[section])
