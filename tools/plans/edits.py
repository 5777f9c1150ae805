"""Typed edits to a stored plan, shared by the revision agent, the offline command grammar and the
Slack "Edit objective" modal.

Each edit is a pydantic model (its JSON Schema is the agent tool's input schema) that applies
itself to a plan's JSON. Applying validates the whole document; `tools.plans.revisions` saves
the result.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from storage.errors import BadInput
from storage.plan_document import (
    SECTIONS,
    AccountPlanDocument,
    ActionStatus,
    MetricValue,
    ObjectiveOwner,
    Priority,
    Quarter,
    QuarterlyMilestone,
    Severity,
    SuccessMetric,
)

MAX_OBJECTIVES = 5
MIN_OBJECTIVES = 3

Json = dict[str, Any]


class PlanEditRejected(BadInput):
    """The edit would make the plan invalid or ungrounded; nothing was saved."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("that change was not saved: " + "; ".join(problems))
        self.problems = problems


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def apply(self, plan: Json) -> None:  # pragma: no cover - every edit overrides it
        raise NotImplementedError


ObjectiveId = Annotated[str, Field(description="The objective's id, e.g. 'obj-2' (or just its number).")]


class _ObjectiveEdit(_Edit):
    objective_id: ObjectiveId

    @field_validator("objective_id")
    @classmethod
    def _normalise_id(cls, value: str) -> str:
        value = value.strip().lower()
        return f"obj-{value}" if value.isdigit() else value

    def objective_in(self, plan: Json) -> Json:
        for objective in plan["strategic_objectives"]:
            if objective["id"] == self.objective_id:
                return objective
        ids = ", ".join(o["id"] for o in plan["strategic_objectives"])
        raise BadInput(f"the plan has no objective {self.objective_id}; it has {ids}")


def _pick(items: list[Json], key: str, number: int | None, match: str | None, noun: str) -> int:
    """Index of the item given by 1-based `number` or by (case-insensitive) text `match`."""
    if number is not None:
        if 1 <= number <= len(items):
            return number - 1
        raise BadInput(f"there is no {noun} {number}; the plan has {len(items)}")
    if match:
        needle = match.strip().lower()
        hits = [i for i, item in enumerate(items) if needle in str(item[key]).lower()]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise BadInput(f"no {noun} mentions {match!r}")
        raise BadInput(f"{len(hits)} {noun}s mention {match!r}; say which by number")
    raise BadInput(f"say which {noun} (by number or by some of its text)")


class UpdateSection(_Edit):
    """Replace one whole section with new content (validated against that section's schema)."""

    section: Literal[SECTIONS] = Field(description="The section to replace.")  # type: ignore[valid-type]
    content: Any = Field(description="The full new content of the section, in that section's shape.")

    def apply(self, plan: Json) -> None:
        content = self.content
        # Models sometimes send a structured section as a JSON string; accept it, reject prose.
        if isinstance(content, str) and self.section != "executive_summary":
            try:
                content = json.loads(content)
            except ValueError as error:
                raise BadInput(f"{self.section} needs structured content in its schema, not text") from error
        plan[self.section] = content


class AddObjective(_Edit):
    """Add a strategic objective (a plan holds 3-5); it gets the next free id."""

    objective: str
    rationale: str
    owner: ObjectiveOwner
    priority: Priority
    success_metrics: list[SuccessMetric] = Field(min_length=1, max_length=4)
    quarterly_milestones: list[QuarterlyMilestone] = Field(
        description="At least one milestone per quarter Q1-Q4."
    )

    def apply(self, plan: Json) -> None:
        objectives = plan["strategic_objectives"]
        if len(objectives) >= MAX_OBJECTIVES:
            raise BadInput(
                f"the plan already has {MAX_OBJECTIVES} objectives, the most it can hold; remove one first"
            )
        numbers = [int(o["id"].removeprefix("obj-")) for o in objectives]
        data = self.model_dump(mode="json")
        objectives.append({"id": f"obj-{max(numbers, default=0) + 1}", **data})


class EditObjective(_ObjectiveEdit):
    """Change an objective's wording, rationale, owner or priority (omitted fields stay)."""

    objective: str | None = None
    rationale: str | None = None
    owner: ObjectiveOwner | None = None
    priority: Priority | None = None

    def apply(self, plan: Json) -> None:
        target = self.objective_in(plan)
        target.update(self.model_dump(mode="json", exclude_none=True, exclude={"objective_id"}))


class RemoveObjective(_ObjectiveEdit):
    """Remove an objective; actions that pointed at it are kept but no longer linked."""

    def apply(self, plan: Json) -> None:
        target = self.objective_in(plan)
        if len(plan["strategic_objectives"]) <= MIN_OBJECTIVES:
            raise BadInput(
                f"a plan needs at least {MIN_OBJECTIVES} objectives; add another before removing this one"
            )
        plan["strategic_objectives"].remove(target)
        for action in plan["action_plan_90day"]:
            if action.get("objective_id") == self.objective_id:
                action["objective_id"] = None


class AddMetric(_ObjectiveEdit):
    """Add a success metric to an objective (at most 4 per objective)."""

    metric: str
    current: MetricValue = Field(description="Today's value from the account's data, or null.")
    target: MetricValue = Field(description="The value to reach by the end of the fiscal year.")
    measurement: str

    def apply(self, plan: Json) -> None:
        self.objective_in(plan)["success_metrics"].append(
            self.model_dump(mode="json", include={"metric", "current", "target", "measurement"})
        )


class EditMetric(_ObjectiveEdit):
    """Change a success metric of an objective, found by its name (omitted fields stay)."""

    metric: str = Field(description="Some of the metric's name, to find it.")
    new_name: str | None = None
    current: MetricValue = None
    target: MetricValue = None
    measurement: str | None = None

    def apply(self, plan: Json) -> None:
        metrics = self.objective_in(plan)["success_metrics"]
        item = metrics[_pick(metrics, "metric", None, self.metric, "metric")]
        changes = self.model_dump(
            mode="json", exclude_none=True, include={"current", "target", "measurement"}
        )
        if self.new_name:
            changes["metric"] = self.new_name
        item.update(changes)


class RemoveMetric(_ObjectiveEdit):
    """Remove a success metric from an objective (each objective keeps at least one)."""

    metric: str = Field(description="Some of the metric's name, to find it.")

    def apply(self, plan: Json) -> None:
        metrics = self.objective_in(plan)["success_metrics"]
        del metrics[_pick(metrics, "metric", None, self.metric, "metric")]


class AddMilestone(_ObjectiveEdit):
    """Add a milestone to an objective in a quarter."""

    quarter: Quarter
    milestone: str

    def apply(self, plan: Json) -> None:
        self.objective_in(plan)["quarterly_milestones"].append(
            {"quarter": self.quarter, "milestone": self.milestone}
        )


class EditMilestone(_ObjectiveEdit):
    """Reword, move to another quarter, or mark done a milestone of an objective.

    Moving a quarter's only milestone swaps it with the destination quarter's milestones, so every
    quarter keeps one.
    """

    quarter: Quarter | None = Field(default=None, description="The quarter the milestone is in now.")
    match: str | None = Field(default=None, description="Some of the milestone's text, to find it.")
    milestone: str | None = Field(default=None, description="New wording.")
    move_to: Quarter | None = None
    done: bool | None = None

    def apply(self, plan: Json) -> None:
        milestones = self.objective_in(plan)["quarterly_milestones"]
        index = self.locate(milestones)
        item = milestones[index]
        if self.milestone:
            item["milestone"] = self.milestone
        if self.done is not None:
            item["done"] = self.done
        if self.move_to and self.move_to != item["quarter"]:
            source = item["quarter"]
            alone = sum(1 for m in milestones if m["quarter"] == source) == 1
            if alone:
                for other in milestones:
                    if other["quarter"] == self.move_to:
                        other["quarter"] = source
            item["quarter"] = self.move_to

    def locate(self, milestones: list[Json]) -> int:
        candidates = [
            i
            for i, m in enumerate(milestones)
            if (self.quarter is None or m["quarter"] == self.quarter)
            and (not self.match or self.match.strip().lower() in m["milestone"].lower())
        ]
        if len(candidates) == 1:
            return candidates[0]
        where = " ".join(filter(None, [self.quarter, repr(self.match) if self.match else None]))
        if not candidates:
            raise BadInput(f"{self.objective_id} has no milestone {where}".rstrip())
        raise BadInput(f"{self.objective_id} has {len(candidates)} milestones {where}; say which by its text")


class RemoveMilestone(EditMilestone):
    """Remove a milestone (every quarter must keep at least one)."""

    def apply(self, plan: Json) -> None:
        milestones = self.objective_in(plan)["quarterly_milestones"]
        del milestones[self.locate(milestones)]


class _ItemRef(_Edit):
    number: int | None = Field(default=None, ge=1, description="Its position in the list, from 1.")
    match: str | None = Field(default=None, description="Some of its text, to find it.")


class AddAction(_Edit):
    """Add an action to the 90-day plan; its due date defaults to the end of its week."""

    action: str
    owner: str
    week: int = Field(ge=1, le=13)
    due_date: date | None = None
    objective_id: str | None = None

    def apply(self, plan: Json) -> None:
        due = self.due_date or _due_for_week(plan["action_plan_90day"], self.week)
        item = self.model_dump(mode="json", exclude={"due_date"})
        plan["action_plan_90day"].append({**item, "due_date": due.isoformat(), "status": "open"})


def _due_for_week(actions: list[Json], week: int) -> date:
    """The plan's weeks are anchored on its existing actions (week N is due N weeks after week 0)."""
    if actions:
        anchor = actions[0]
        start = date.fromisoformat(anchor["due_date"]) - timedelta(weeks=anchor["week"])
    else:
        start = date.today()
    return start + timedelta(weeks=week)


class EditAction(_ItemRef):
    """Change an action in the 90-day plan: wording, owner, week, due date or status (e.g. done)."""

    action: str | None = None
    owner: str | None = None
    week: int | None = Field(default=None, ge=1, le=13)
    due_date: date | None = None
    status: ActionStatus | None = None

    def apply(self, plan: Json) -> None:
        actions = plan["action_plan_90day"]
        item = actions[_pick(actions, "action", self.number, self.match, "action")]
        item.update(self.model_dump(mode="json", exclude_none=True, exclude={"number", "match"}))


class RemoveAction(_ItemRef):
    """Remove an action from the 90-day plan (the plan keeps at least one)."""

    def apply(self, plan: Json) -> None:
        actions = plan["action_plan_90day"]
        del actions[_pick(actions, "action", self.number, self.match, "action")]


class AddRisk(_Edit):
    """Add an identified risk with its mitigation."""

    risk: str
    severity: Severity
    mitigation: str
    owner: str

    def apply(self, plan: Json) -> None:
        plan["risk_mitigation"]["identified_risks"].append(self.model_dump(mode="json"))


class EditRisk(_ItemRef):
    """Change an identified risk: wording, severity, mitigation or owner."""

    risk: str | None = None
    severity: Severity | None = None
    mitigation: str | None = None
    owner: str | None = None

    def apply(self, plan: Json) -> None:
        risks = plan["risk_mitigation"]["identified_risks"]
        item = risks[_pick(risks, "risk", self.number, self.match, "risk")]
        item.update(self.model_dump(mode="json", exclude_none=True, exclude={"number", "match"}))


class RemoveRisk(_ItemRef):
    """Remove an identified risk."""

    def apply(self, plan: Json) -> None:
        risks = plan["risk_mitigation"]["identified_risks"]
        del risks[_pick(risks, "risk", self.number, self.match, "risk")]


PlanEdit = (
    UpdateSection | AddObjective | EditObjective | RemoveObjective | AddMetric | EditMetric | RemoveMetric
    | AddMilestone | EditMilestone | RemoveMilestone | AddAction | EditAction | RemoveAction
    | AddRisk | EditRisk | RemoveRisk
)  # fmt: skip


def validation_problems(error: ValidationError) -> list[str]:
    """Pydantic errors as `where: what` lines a person (or the model) can act on."""
    return [
        f"{'.'.join(str(part) for part in issue['loc']) or 'plan'}: {issue['msg']}"
        for issue in error.errors()
    ][:12]


def apply_edits(document: AccountPlanDocument, edits: list[PlanEdit]) -> AccountPlanDocument:
    """The plan with `edits` applied in order, validated as a whole; raises PlanEditRejected."""
    data = document.to_json_dict()
    for edit in edits:
        edit.apply(data)
    try:
        return AccountPlanDocument.model_validate(data)
    except ValidationError as error:
        raise PlanEditRejected(validation_problems(error)) from error
