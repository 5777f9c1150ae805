"""How a plan is cut into model calls that run side by side, how each answer is read back, part by
part, and how the parts that passed are put back together.

A call's wall time follows the length of what it writes, so the long sections are split (see
`balance`): each strategic objective is its own call (refining the offline draft's objective in that
slot, which keeps ids stable), the 90-day plan is written in week ranges, and the stakeholder plan
and the benchmark comparison are written as an overview plus their long lists in slices of entries
(the stakeholder map, the relationship goals, the similar accounts). Every job answers through a forced tool whose input schema is generated from the pydantic section models
(sent with `strict: true`, so the API holds the model to the schema; validation stays as defence).

A job's answer is judged in *parts* - one objective slot, one week range, one slice of a list, a
section's overview, or one section of a job that writes two - so one bad figure costs only the part
it is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from anthropic import transform_schema
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from storage.plan_document import (
    QBR,
    QUARTERS,
    SECTIONS,
    AccountPlanDocument,
    ActionItem,
    BusinessContext,
    ExpansionPlan,
    IdentifiedRisk,
    Probability,
    RelationshipGoal,
    ResourcePlan,
    SimilarAccountRef,
    StakeholderMapEntry,
    StrategicObjective,
)
from tools.analytics.fiscal_calendar import quarter_of


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    fields: dict[str, Any]  # input field -> type
    # Set when the tool writes some fields of one section (the section's other fields come from
    # other tools); None when each field is a whole section.
    section: str | None = None


TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec("write_summary_and_context", "Write the executive summary and the customer's business context.",
             {"executive_summary": Annotated[str, Field(min_length=20)], "business_context": BusinessContext}),
    ToolSpec("write_objective", "Write ONE strategic objective: the slot named in the request.",
             {"objective": StrategicObjective}),
    ToolSpec("write_stakeholder_overview",
             "Write the stakeholder plan's assessment, missing roles, multi-threading target and sponsor strategy.",
             {"current_assessment": str, "missing_roles": list[str], "multi_threading_target": Annotated[int, Field(ge=1, le=50)],
              "exec_sponsor_strategy": str}, section="stakeholder_plan"),
    ToolSpec("write_stakeholder_map", "Write the stakeholder map entries named in the request.",
             {"current_map": list[StakeholderMapEntry]}, section="stakeholder_plan"),
    ToolSpec("write_relationship_goals", "Write the relationship goals named in the request.",
             {"relationship_goals": list[RelationshipGoal]}, section="stakeholder_plan"),
    ToolSpec("write_expansion_plan", "Write the expansion plan (opportunities from the data).",
             {"expansion_plan": ExpansionPlan}),
    ToolSpec("write_risk_mitigation", "Write the identified risks named in the request, with their mitigation.",
             {"identified_risks": list[IdentifiedRisk]}, section="risk_mitigation"),
    ToolSpec("write_benchmark_overview",
             "Write the benchmark comparison's success rate, key differentiators and missing elements.",
             {"similar_accounts_success_rate": Probability | None, "key_differentiators": str, "missing_elements": list[str]},
             section="benchmark_comparison"),
    ToolSpec("write_similar_accounts", "Write the similar-account entries named in the request.",
             {"similar_accounts": list[SimilarAccountRef]}, section="benchmark_comparison"),
    ToolSpec("write_qbr_schedule", "Write the QBR schedule for the fiscal year.", {"qbr_schedule": list[QBR]}),
    ToolSpec("write_resource_plan", "Write the resource plan.", {"resource_plan": ResourcePlan}),
    ToolSpec("write_actions", "Write the 90-day plan's actions for the weeks named in the request.",
             {"actions": list[ActionItem]}),
)  # fmt: skip
SPECS = {spec.name: spec for spec in TOOL_SPECS}
# Which tools write each section (sections a tool writes together come from one answer).
SECTION_TOOLS: dict[str, tuple[str, ...]] = {
    "executive_summary": ("write_summary_and_context",),
    "business_context": ("write_summary_and_context",),
    "strategic_objectives": ("write_objective",),
    "stakeholder_plan": ("write_stakeholder_overview", "write_stakeholder_map", "write_relationship_goals"),
    "expansion_plan": ("write_expansion_plan",),
    "risk_mitigation": ("write_risk_mitigation",),
    "benchmark_comparison": ("write_benchmark_overview", "write_similar_accounts"),
    "qbr_schedule": ("write_qbr_schedule",),
    "resource_plan": ("write_resource_plan",),
    "action_plan_90day": ("write_actions",),
}
assert set(SECTION_TOOLS) == set(SECTIONS)
# Tools that write a slice of one list field of their section (entries a-b of the offline draft's).
SLICED_TOOLS = frozenset(
    {"write_stakeholder_map", "write_relationship_goals", "write_similar_accounts", "write_risk_mitigation"}
)
# The tool input field each section arrives in (the objective and actions tools write one slice).
FIELD_OF_SECTION = {"strategic_objectives": "objective", "action_plan_90day": "actions"}


@cache
def tool_model(name: str) -> type[BaseModel]:
    """The pydantic model of a tool's input (built once per process)."""
    fields: dict[str, Any] = {field: (kind, ...) for field, kind in SPECS[name].fields.items()}
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


@cache
def _field_adapter(tool: str, field: str) -> TypeAdapter[Any]:
    return TypeAdapter(SPECS[tool].fields[field])


@cache
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """Every tool; the same list (same bytes) goes with every call so the cached prefix is shared.

    `strict: true` makes the API sample only schema-valid input. Strict schemas support a subset of
    JSON Schema, so the schema is passed through the SDK's own `transform_schema` (it moves bounds
    such as `minLength` or `maximum` into the description); the pydantic validation on arrival
    still enforces them."""
    return tuple(
        {
            "name": spec.name,
            "description": spec.description,
            "input_schema": transform_schema(tool_model(spec.name).model_json_schema()),
            "strict": True,
        }
        for spec in TOOL_SPECS
    )


@dataclass(frozen=True)
class DraftJob:
    """One model call: a tool, the sections its answer feeds, and which part of them it writes."""

    key: str  # unique per plan, e.g. "write_objective:obj-2"
    tool: str
    sections: tuple[str, ...]  # the requested sections this job contributes to
    instruction: str
    slot: str | None = None  # the objective id, for write_objective
    slot_index: int | None = None  # its position in the offline draft
    weeks: tuple[int, int] | None = None  # for write_actions
    entries: tuple[int, int] | None = (
        None  # 1-based, inclusive: the draft's list entries a sliced tool writes
    )
    total: int = 0  # how many entries the draft's list has (for a sliced tool)

    @property
    def section(self) -> str | None:
        """The one section whose fields this tool writes piecewise (None: whole sections)."""
        return SPECS[self.tool].section

    @property
    def list_field(self) -> str:
        """The list field a sliced tool writes."""
        return next(iter(SPECS[self.tool].fields))

    @property
    def parts(self) -> tuple[str, ...]:
        """What can fall back on its own: named as the document path it covers."""
        if self.tool == "write_objective":
            return (f"strategic_objectives[{self.slot_index}]",)
        if self.tool == "write_actions" and self.weeks:
            return (f"action_plan_90day[weeks {self.weeks[0]}-{self.weeks[1]}]",)
        if self.section and self.entries:
            return (f"{self.section}.{self.list_field}[{self.entries[0]}-{self.entries[1]}]",)
        if self.section:
            return (f"{self.section}[overview]",)
        return self.sections

    def part_of_field(self, field: str) -> str | None:
        """The part a tool input field feeds (None: the field belongs to no part, e.g. an extra key)."""
        if self.tool in ("write_objective", "write_actions") or self.section:
            return self.parts[0]
        return field if field in self.sections else None

    def part_of_path(self, path: str, document: AccountPlanDocument) -> str | None:
        """The part of this job a document path falls in (for plan-review findings), or None."""
        section = re.split(r"[.\[]", path, maxsplit=1)[0]
        if section not in self.sections:
            return None
        found = re.match(r"(\w+)\[(\d+)\]", path)
        if self.tool == "write_objective":
            return self.parts[0] if found and int(found.group(2)) == self.slot_index else None
        if self.tool == "write_actions" and self.weeks:
            if not found or int(found.group(2)) >= len(document.action_plan_90day):
                return None
            week = document.action_plan_90day[int(found.group(2))].week
            return self.parts[0] if self.weeks[0] <= week <= self.weeks[1] else None
        if self.section and self.entries:
            entry = re.match(rf"{self.section}\.{self.list_field}\[(\d+)\]", path)
            if entry is None:
                return None
            # The draft's entries before the slice are still in place; after it, as many as the draft had.
            written = len(getattr(getattr(document, self.section), self.list_field)) - (
                self.total - self.entries[1]
            )
            return self.parts[0] if self.entries[0] - 1 <= int(entry.group(1)) < written else None
        if self.section:
            field = path.removeprefix(f"{self.section}.").split(".")[0].split("[")[0]
            return self.parts[0] if field in SPECS[self.tool].fields else None
        return section

    def tool_path(self, path: str, *, document_index: bool = False) -> str:
        """A document-shaped path as the model knows it: "strategic_objectives[0].rationale" is
        "objective.rationale" in its answer, "action_plan_90day[2]" is "actions[2]", and for entries
        4-6 "stakeholder_plan.current_map[0]" is "current_map[0]" (`document_index`: the path counts
        the whole document's entries, so [3] is the answer's [0])."""
        if self.tool == "write_objective":
            return re.sub(r"^strategic_objectives\[\d+\]", "objective", path)
        if self.tool == "write_actions":
            return re.sub(r"^action_plan_90day", "actions", path)
        if self.section and self.entries:
            shift = self.entries[0] - 1 if document_index else 0
            return re.sub(
                rf"^{self.section}\.{self.list_field}\[(\d+)\]",
                lambda m: f"{self.list_field}[{int(m.group(1)) - shift}]",
                path,
            )
        if self.section:
            return path.removeprefix(f"{self.section}.")
        return path

    def as_sections(self, part: str, value: Any) -> dict[str, Any]:
        """A part's value in document shape, for grounding (some fields of a section: a partial section)."""
        if self.tool == "write_objective":
            return {"strategic_objectives": [value]}
        if self.tool == "write_actions":
            return {"action_plan_90day": value}
        if self.section:
            return {self.section: {self.list_field: value} if self.entries else value}
        return {part: value}


@dataclass(frozen=True)
class JobProblem:
    """A problem with one part of an answer (part None: with the answer as a whole)."""

    part: str | None
    kind: str  # schema | a grounding kind | review
    text: str  # where and what, in the model's own field names
    hint: str = ""  # what would be allowed instead

    def teaching(self) -> str:
        return f"{self.text}. {self.hint}" if self.hint else self.text


def read_answer(
    job: DraftJob, tool_input: Any, baseline: AccountPlanDocument
) -> tuple[dict[str, Any], list[JobProblem]]:
    """Validate and tidy one answer field by field: (part -> section-shaped JSON, problems). A part
    whose field does not validate is left out; the other parts still count."""
    if not isinstance(tool_input, dict):
        return {}, [JobProblem(None, "schema", "the tool input must be a JSON object")]
    spec = SPECS[job.tool]
    problems = [
        JobProblem(None, "schema", f"{extra}: not a field of {job.tool}")
        for extra in sorted(set(tool_input) - set(spec.fields))
    ]
    parts: dict[str, Any] = {}
    for field in spec.fields:
        part = job.part_of_field(field)
        if part is None:
            continue
        try:
            value = _field_adapter(job.tool, field).validate_python(tool_input.get(field))
        except ValidationError as error:
            problems += [
                JobProblem(
                    part, "schema", f"{'.'.join(str(p) for p in (field, *issue['loc']))}: {issue['msg']}"
                )
                for issue in error.errors()[:8]
            ]
            continue
        tidy, found = _tidy(job, value, baseline)
        if job.section and not job.entries:  # some fields of one section: the part is those fields
            parts.setdefault(part, {})[field] = tidy
        else:
            parts[part] = tidy
        problems += [JobProblem(part, "schema", text) for text in found]
    return parts, problems


def _tidy(job: DraftJob, value: Any, baseline: AccountPlanDocument) -> tuple[Any, list[str]]:
    """One validated field as document JSON, with the checks its schema cannot express."""
    if job.tool == "write_objective":
        objective: StrategicObjective = value
        milestones = sorted(objective.quarterly_milestones, key=lambda m: QUARTERS.index(m.quarter))
        objective = objective.model_copy(update={"id": job.slot, "quarterly_milestones": milestones})
        return objective.model_dump(mode="json"), []
    if job.tool == "write_actions":
        first, last = job.weeks or (1, 13)
        ids = {o.id for o in baseline.strategic_objectives}
        actions: list[ActionItem] = sorted(value, key=lambda a: (a.week, a.due_date))
        problems = []
        for index, action in enumerate(actions):
            if not first <= action.week <= last:
                problems.append(f"actions[{index}].week {action.week} is outside weeks {first}-{last}")
            if action.objective_id is not None and action.objective_id not in ids:
                problems.append(
                    f"actions[{index}].objective_id {action.objective_id!r} is not one of {sorted(ids)}"
                )
        return [a.model_dump(mode="json") for a in actions], problems
    if job.tool == "write_qbr_schedule":
        qbrs: list[QBR] = sorted(value, key=lambda q: q.date)
        return [q.model_dump(mode="json") for q in qbrs], _qbr_problems(qbrs, baseline)
    if isinstance(value, list):
        return [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value], []
    return (value.model_dump(mode="json") if isinstance(value, BaseModel) else value), []


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


def merge_parts(
    baseline: AccountPlanDocument, jobs: list[DraftJob], parts: dict[str, Any], sections: tuple[str, ...]
) -> dict[str, Any]:
    """`sections` as JSON: each part from `parts` where it passed, else the offline draft's."""
    draft = baseline.to_json_dict()
    merged = {section: draft[section] for section in sections}
    if "strategic_objectives" in merged:
        merged["strategic_objectives"] = [
            parts.get(f"strategic_objectives[{index}]", objective)
            for index, objective in enumerate(draft["strategic_objectives"])
        ]
    if "action_plan_90day" in merged:
        actions: list[dict[str, Any]] = []
        covered: set[int] = set()
        for job in jobs:
            if job.tool == "write_actions" and job.weeks and job.parts[0] in parts:
                actions += parts[job.parts[0]]
                covered |= set(range(job.weeks[0], job.weeks[1] + 1))
        actions += [a for a in draft["action_plan_90day"] if a["week"] not in covered]
        merged["action_plan_90day"] = sorted(actions, key=lambda a: (a["week"], a["due_date"]))
    for section in merged:
        if section in parts:
            merged[section] = parts[section]
        elif any(job.section == section for job in jobs):
            merged[section] = _merge_section(draft[section], [j for j in jobs if j.section == section], parts)
    return merged


def _merge_section(draft: dict[str, Any], jobs: list[DraftJob], parts: dict[str, Any]) -> dict[str, Any]:
    """A section written piecewise: its overview's fields, then each list from its slices in order
    (a slice that did not pass keeps the draft's entries)."""
    section = dict(draft)
    for job in jobs:
        if not job.entries and job.parts[0] in parts:
            section.update(parts[job.parts[0]])
    for field in {job.list_field for job in jobs if job.entries}:
        entries: list[Any] = []
        done = 0  # the draft's entries accounted for
        for job in sorted(
            (j for j in jobs if j.entries and j.list_field == field), key=lambda j: j.entries or (0, 0)
        ):
            first, last = job.entries or (0, 0)
            entries += draft[field][done : first - 1] + parts.get(
                job.parts[0], draft[field][first - 1 : last]
            )
            done = last
        entries += draft[field][done:]
        section[field] = entries
    return section
