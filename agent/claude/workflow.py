"""Claude as a `SectionWriter`: the plan's section groups drafted concurrently, one forced tool
call per group whose input schema is the sections' pydantic schema, validated and grounded on
arrival, with one repair turn; anything still wrong is left to the offline draft.

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
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from agent.claude.client import ClaudeClient, ClaudeUnavailable, Usage
from agent.claude.grounding import GroundingFacts, check_sections
from agent.section_writer import ProgressCallback, ProgressEvent, SectionOutcome
from storage.plan_document import (
    QUARTERS,
    SECTION_MODELS,
    SECTIONS,
    AccountPlanDocument,
    ActionItem,
    StrategicObjective,
)
from tools.context import PlanningContext
from tools.plan_edits import validation_problems

log = logging.getLogger(__name__)

REPAIR_TURNS = 1
WARM_UP_MAX_TOKENS = 1


@dataclass(frozen=True)
class SectionGroup:
    tool: str
    sections: tuple[str, ...]
    description: str


# Groups are sized so no single call dominates the wall time; together they cover every section.
GROUPS: tuple[SectionGroup, ...] = (
    SectionGroup(
        "write_summary_and_context",
        ("executive_summary", "business_context"),
        "Write the executive summary and the customer's business context.",
    ),
    SectionGroup(
        "write_objectives",
        ("strategic_objectives",),
        "Write the 3-5 strategic objectives with metrics and quarterly milestones.",
    ),
    SectionGroup(
        "write_stakeholder_plan",
        ("stakeholder_plan",),
        "Write the stakeholder map, relationship goals and executive sponsor strategy.",
    ),
    SectionGroup(
        "write_expansion_and_risks",
        ("expansion_plan", "risk_mitigation"),
        "Write the expansion plan (opportunities from the data) and the risk mitigation.",
    ),
    SectionGroup(
        "write_cadence",
        ("qbr_schedule", "resource_plan", "action_plan_90day"),
        "Write the QBR schedule, the resource plan and the 90-day action plan.",
    ),
    SectionGroup(
        "write_benchmark_comparison", ("benchmark_comparison",), "Write the comparison with similar accounts."
    ),
)
assert sorted(s for g in GROUPS for s in g.sections) == sorted(SECTIONS)

# Field types with the document-level constraints the section models alone do not carry.
_SECTION_TYPES: dict[str, Any] = dict(SECTION_MODELS) | {
    "executive_summary": Annotated[str, Field(min_length=20)],
    "strategic_objectives": Annotated[list[StrategicObjective], Field(min_length=3, max_length=5)],
    "action_plan_90day": Annotated[list[ActionItem], Field(min_length=1)],
}


@cache
def group_model(tool: str) -> type[BaseModel]:
    """The pydantic model of a group's tool input (built once per process)."""
    group = next(g for g in GROUPS if g.tool == tool)
    fields: dict[str, Any] = {s: (_SECTION_TYPES[s], ...) for s in group.sections}
    return create_model(tool, __config__=ConfigDict(extra="forbid"), **fields)


@cache
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """Every group's tool; the same list (same bytes) goes with every call so the prefix is shared."""
    return tuple(
        {
            "name": g.tool,
            "description": g.description,
            "input_schema": group_model(g.tool).model_json_schema(),
        }
        for g in GROUPS
    )


@cache
def generation_prompt() -> str:
    return resources.files("agent.claude.prompts").joinpath("generation.md").read_text(encoding="utf-8")


def shared_system(
    context: PlanningContext, fiscal_year: str, baseline: AccountPlanDocument
) -> list[dict[str, Any]]:
    """System blocks every call of one plan sends, byte for byte; the data is delimited as data."""
    draft = {s: baseline.to_json_dict()[s] for s in SECTIONS}
    data = json.dumps(context.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    block = (
        f"Fiscal year: {fiscal_year}\n<account_data>\n{data}\n</account_data>\n"
        f"<offline_draft>\n{json.dumps(draft, sort_keys=True, separators=(',', ':'))}\n</offline_draft>"
    )
    return [
        {"type": "text", "text": generation_prompt()},
        {"type": "text", "text": block, "cache_control": {"type": "ephemeral"}},
    ]


def content_params(message: Any) -> list[dict[str, Any]]:
    """An assistant message's blocks as request params (for sending the history back)."""
    blocks: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            blocks.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
    return blocks


def tidy(sections: dict[str, Any]) -> dict[str, Any]:
    """Fix what is valid but odd without bothering the model: objective ids renumbered in order,
    milestones in quarter order, actions by week, QBRs by date."""
    objectives: list[StrategicObjective] | None = sections.get("strategic_objectives")
    if objectives is not None:
        renumbered = []
        for index, objective in enumerate(objectives, start=1):
            milestones = sorted(objective.quarterly_milestones, key=lambda m: QUARTERS.index(m.quarter))
            renumbered.append(
                objective.model_copy(update={"id": f"obj-{index}", "quarterly_milestones": milestones})
            )
        sections["strategic_objectives"] = renumbered
    if "action_plan_90day" in sections:
        sections["action_plan_90day"] = sorted(
            sections["action_plan_90day"], key=lambda a: (a.week, a.due_date)
        )
    if "qbr_schedule" in sections:
        sections["qbr_schedule"] = sorted(sections["qbr_schedule"], key=lambda q: q.date)
    return sections


@dataclass
class _GroupResult:
    sections: dict[str, Any] = field(default_factory=dict)
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
        facts = GroundingFacts.from_context(context)
        groups = [g for g in GROUPS if any(s in sections for s in g.sections)]
        wanted = {g.tool: tuple(s for s in g.sections if s in sections) for g in groups}
        results: dict[str, _GroupResult] = {}

        stop = await self._warm_up(system, usage) if self.warm_cache and len(groups) > 1 else None
        if stop is not None:
            results = {g.tool: _GroupResult(failure=stop) for g in groups}
        else:
            for group in groups:
                for section in wanted[group.tool]:
                    await _report(progress, ProgressEvent(section, "started", "Claude"))

            async def run(group: SectionGroup) -> None:
                try:
                    results[group.tool] = await self._draft_group(
                        group, wanted[group.tool], system, facts, fiscal_year, usage
                    )
                except Exception:  # a bug in one group must not sink the others; the draft covers it
                    log.exception("drafting %s failed", group.tool)
                    results[group.tool] = _GroupResult(failure="an internal error; see the logs")

            remaining = max(0.0, self.client.deadline - (time.perf_counter() - started))
            try:
                async with asyncio.timeout(remaining):
                    if self.concurrent:
                        async with asyncio.TaskGroup() as tasks:
                            for group in groups:
                                tasks.create_task(run(group))
                    else:
                        for group in groups:
                            await run(group)
            except TimeoutError:
                log.warning("claude drafting passed its %.0fs deadline", self.client.deadline)
            for group in groups:
                results.setdefault(
                    group.tool,
                    _GroupResult(failure=f"Claude did not answer within {self.client.deadline:.0f}s"),
                )

        outcome = SectionOutcome(sections={}, fallbacks={})
        for group in groups:
            result = results[group.tool]
            for section in wanted[group.tool]:
                if result.failure is None:
                    outcome.sections[section] = result.sections[section]
                    await _report(progress, ProgressEvent(section, "done", "Claude"))
                else:
                    outcome.fallbacks[section] = result.failure
        outcome.usage = usage.as_dict(self.client.model) | {
            "wall_ms": round((time.perf_counter() - started) * 1000, 1),
            "groups": len(groups),
            "repaired_groups": sorted(g for g, r in results.items() if r.repaired),
            "fallback_sections": sorted(outcome.fallbacks),
            "request_ids": usage.request_ids,
        }
        return outcome

    async def _warm_up(self, system: list[dict[str, Any]], usage: Usage) -> str | None:
        """Write the shared prefix to the prompt cache before the fan-out (concurrent requests
        cannot read a cache entry that is still being written). Returns a reason to stop when the
        API refuses us outright (a bad key will not get better by asking six more times)."""
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

    async def _draft_group(
        self,
        group: SectionGroup,
        wanted: tuple[str, ...],
        system: list[dict[str, Any]],
        facts: GroundingFacts,
        fiscal_year: str,
        usage: Usage,
    ) -> _GroupResult:
        messages: list[dict[str, Any]] = [
            {
                "role": "user",
                "content": f"Draft {', '.join(group.sections)} for {fiscal_year} with `{group.tool}`.",
            }
        ]
        problems: list[str] = []
        for attempt in range(REPAIR_TURNS + 1):
            try:
                message = await self.client.create(
                    purpose=f"draft {group.tool}",
                    usage=usage,
                    system=system,
                    tools=list(tool_definitions()),
                    tool_choice={"type": "tool", "name": group.tool},
                    messages=messages,
                )
            except ClaudeUnavailable as error:
                return _GroupResult(failure=error.message)
            call = next((b for b in message.content if b.type == "tool_use" and b.name == group.tool), None)
            if call is None:
                return _GroupResult(
                    failure=f"Claude answered without calling {group.tool} ({message.stop_reason})"
                )
            if message.stop_reason == "max_tokens":
                problems = [
                    f"your answer was cut off at the {self.client.max_tokens}-token limit; write more concisely"
                ]
                parsed: dict[str, Any] = {}
            else:
                parsed, problems = self._check(group, wanted, call.input, facts)
            if not problems:
                return _GroupResult(sections=parsed, repaired=attempt > 0)
            log.info("claude %s needs repair: %s", group.tool, "; ".join(problems[:5]))
            messages += [
                {"role": "assistant", "content": content_params(message)},
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": call.id,
                            "is_error": True,
                            "content": "Fix these problems and call the tool again:\n- "
                            + "\n- ".join(problems),
                        }
                    ],
                },
            ]
        return _GroupResult(failure="still invalid after a repair turn: " + "; ".join(problems[:3]))

    @staticmethod
    def _check(
        group: SectionGroup, wanted: tuple[str, ...], tool_input: Any, facts: GroundingFacts
    ) -> tuple[dict[str, Any], list[str]]:
        try:
            model = group_model(group.tool).model_validate(tool_input)
        except ValidationError as error:
            return {}, validation_problems(error)
        sections = tidy({s: getattr(model, s) for s in group.sections})
        as_json = group_model(group.tool).model_validate(sections).model_dump(mode="json")
        problems = check_sections({s: as_json[s] for s in wanted}, facts)
        return {s: sections[s] for s in wanted}, problems


async def _report(progress: ProgressCallback | None, event: ProgressEvent) -> None:
    if progress is not None:
        await progress(event)
