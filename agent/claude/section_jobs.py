"""How a plan is cut into model calls that run side by side, and how their answers are checked and
put back together.

A call's wall time follows the length of what it writes, so the long sections are split: each
strategic objective is its own call (refining the offline draft's objective in that slot, which
keeps ids stable and the set balanced) and the 90-day plan is written in three week ranges. Every
job answers through a forced tool whose input schema is generated from the pydantic section models.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from storage.plan_document import (
    QBR,
    QUARTERS,
    SECTIONS,
    AccountPlanDocument,
    ActionItem,
    BenchmarkComparison,
    BusinessContext,
    ExpansionPlan,
    ResourcePlan,
    RiskMitigation,
    StakeholderPlan,
    StrategicObjective,
)
from tools.analytics.fiscal_calendar import quarter_of
from tools.plans.edits import validation_problems

WEEK_RANGES: tuple[tuple[int, int], ...] = ((1, 4), (5, 8), (9, 13))


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    fields: dict[str, Any]  # input field -> type


TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec("write_summary_and_context", "Write the executive summary and the customer's business context.",
             {"executive_summary": Annotated[str, Field(min_length=20)], "business_context": BusinessContext}),
    ToolSpec("write_objective", "Write ONE strategic objective: the slot named in the request.",
             {"objective": StrategicObjective}),
    ToolSpec("write_stakeholder_plan", "Write the stakeholder map, relationship goals and sponsor strategy.",
             {"stakeholder_plan": StakeholderPlan}),
    ToolSpec("write_expansion_and_risks",
             "Write the expansion plan (opportunities from the data) and the risk mitigation.",
             {"expansion_plan": ExpansionPlan, "risk_mitigation": RiskMitigation}),
    ToolSpec("write_benchmark_comparison", "Write the comparison with similar accounts.",
             {"benchmark_comparison": BenchmarkComparison}),
    ToolSpec("write_qbr_schedule", "Write the QBR schedule for the fiscal year.", {"qbr_schedule": list[QBR]}),
    ToolSpec("write_resource_plan", "Write the resource plan.", {"resource_plan": ResourcePlan}),
    ToolSpec("write_actions", "Write the 90-day plan's actions for the weeks named in the request.",
             {"actions": list[ActionItem]}),
)  # fmt: skip
SPECS = {spec.name: spec for spec in TOOL_SPECS}
# Which tool writes each section (sections a tool writes together come from one answer).
SECTION_TOOL: dict[str, str] = {
    "executive_summary": "write_summary_and_context",
    "business_context": "write_summary_and_context",
    "strategic_objectives": "write_objective",
    "stakeholder_plan": "write_stakeholder_plan",
    "expansion_plan": "write_expansion_and_risks",
    "risk_mitigation": "write_expansion_and_risks",
    "benchmark_comparison": "write_benchmark_comparison",
    "qbr_schedule": "write_qbr_schedule",
    "resource_plan": "write_resource_plan",
    "action_plan_90day": "write_actions",
}
assert set(SECTION_TOOL) == set(SECTIONS)


@cache
def tool_model(name: str) -> type[BaseModel]:
    """The pydantic model of a tool's input (built once per process)."""
    fields: dict[str, Any] = {field: (kind, ...) for field, kind in SPECS[name].fields.items()}
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


@cache
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """Every tool; the same list (same bytes) goes with every call so the cached prefix is shared."""
    return tuple(
        {"name": s.name, "description": s.description, "input_schema": tool_model(s.name).model_json_schema()}
        for s in TOOL_SPECS
    )


@dataclass(frozen=True)
class DraftJob:
    """One model call: a tool, the sections its answer feeds, and which part of them it writes."""

    key: str  # unique per plan, e.g. "write_objective:obj-2"
    tool: str
    sections: tuple[str, ...]  # the requested sections this job contributes to
    instruction: str
    slot: str | None = None  # the objective id, for write_objective
    weeks: tuple[int, int] | None = None  # for write_actions


def plan_jobs(sections: tuple[str, ...], baseline: AccountPlanDocument, fiscal_year: str) -> list[DraftJob]:
    """The calls needed for `sections`, in a stable order."""
    jobs: list[DraftJob] = []
    for spec in TOOL_SPECS:
        wanted = tuple(s for s in SECTIONS if SECTION_TOOL[s] == spec.name and s in sections)
        if not wanted:
            continue
        if spec.name == "write_objective":
            count = len(baseline.strategic_objectives)
            for objective in baseline.strategic_objectives:
                jobs.append(DraftJob(
                    f"{spec.name}:{objective.id}", spec.name, wanted,
                    f"Write strategic objective {objective.id} (one of {count}) for {fiscal_year} with `write_objective`: "
                    f"refine the offline draft's {objective.id} - same theme, sharper and measurable. The other "
                    "objectives are written separately from their own draft slots, so stay on this one's theme.",
                    slot=objective.id,
                ))  # fmt: skip
        elif spec.name == "write_actions":
            for first, last in WEEK_RANGES:
                jobs.append(DraftJob(
                    f"{spec.name}:{first}-{last}", spec.name, wanted,
                    f"Write the 90-day plan's actions for weeks {first}-{last} of {fiscal_year} with `write_actions` "
                    f"(only weeks {first}-{last}; refine the offline draft's actions in those weeks; link each to "
                    "an objective id of the offline draft where it serves one).",
                    weeks=(first, last),
                ))  # fmt: skip
        else:
            jobs.append(DraftJob(
                spec.name, spec.name, wanted,
                f"Write {', '.join(wanted)} for {fiscal_year} with `{spec.name}`.",
            ))  # fmt: skip
    return jobs


def check_answer(
    job: DraftJob, tool_input: Any, baseline: AccountPlanDocument
) -> tuple[dict[str, Any], list[str]]:
    """Validate and tidy one answer: (its parts as section-shaped JSON, problems for the model)."""
    try:
        answer = tool_model(job.tool).model_validate(tool_input)
    except ValidationError as error:
        return {}, validation_problems(error)
    problems: list[str] = []
    if job.tool == "write_objective":
        objective: StrategicObjective = answer.objective  # type: ignore[attr-defined]
        milestones = sorted(objective.quarterly_milestones, key=lambda m: QUARTERS.index(m.quarter))
        objective = objective.model_copy(update={"id": job.slot, "quarterly_milestones": milestones})
        return {"strategic_objectives": [objective.model_dump(mode="json")]}, problems
    if job.tool == "write_actions":
        first, last = job.weeks or (1, 13)
        ids = {o.id for o in baseline.strategic_objectives}
        actions: list[ActionItem] = sorted(answer.actions, key=lambda a: (a.week, a.due_date))  # type: ignore[attr-defined]
        for index, action in enumerate(actions):
            if not first <= action.week <= last:
                problems.append(f"actions[{index}].week {action.week} is outside weeks {first}-{last}")
            if action.objective_id is not None and action.objective_id not in ids:
                problems.append(
                    f"actions[{index}].objective_id {action.objective_id!r} is not one of {sorted(ids)}"
                )
        return {"action_plan_90day": [a.model_dump(mode="json") for a in actions]}, problems
    data = answer.model_dump(mode="json")
    if job.tool == "write_qbr_schedule":
        problems += _qbr_problems(answer.qbr_schedule, baseline)  # type: ignore[attr-defined]
        data["qbr_schedule"].sort(key=lambda q: q["date"])
    return {s: data[s] for s in job.sections}, problems


def _qbr_problems(qbrs: list[QBR], baseline: AccountPlanDocument) -> list[str]:
    """A QBR labelled Q2 must fall in Q2 of the plan's fiscal year (schema-valid dates can still be wrong)."""
    start_month = int(baseline.generation_context.get("fiscal_year_start_month", 1))
    problems = []
    for index, qbr in enumerate(qbrs):
        actual = quarter_of(qbr.date, baseline.fiscal_year, start_month)
        if actual != qbr.quarter:
            where = f"{actual} of {baseline.fiscal_year}" if actual else f"outside {baseline.fiscal_year}"
            problems.append(f"qbr_schedule[{index}]: {qbr.date.isoformat()} is {where}, not {qbr.quarter}")
    return problems


def assemble(jobs: list[DraftJob], answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Join the jobs' answers into whole sections (objectives in slot order, actions by week)."""
    sections: dict[str, Any] = {}
    for job in jobs:
        for section, value in answers[job.key].items():
            if section in ("strategic_objectives", "action_plan_90day"):
                sections.setdefault(section, []).extend(value)
            else:
                sections[section] = value
    if "action_plan_90day" in sections:
        sections["action_plan_90day"].sort(key=lambda a: (a["week"], a["due_date"]))
    return sections
