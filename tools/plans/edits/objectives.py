"""Edits to strategic objectives: add, change, replace, remove. Objectives are always numbered as
people see them (obj-1..obj-N); removing one renumbers the rest and every link follows."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from storage.errors import BadInput
from storage.plan_document import ObjectiveOwner, Priority, QuarterlyMilestone, SuccessMetric
from tools.plans.edits.base import MAX_OBJECTIVES, MIN_OBJECTIVES, Edit, Json, shift_paths
from tools.plans.edits.cascades import (
    drop_from_summary,
    order_milestones,
    remove_actions,
    renumber_objectives,
    replace_in_summary,
)

ObjectiveId = Annotated[
    str, Field(description="The objective's id as the plan shows it, e.g. 'obj-2' (or just its number).")
]


class ObjectiveEdit(Edit):
    objective_id: ObjectiveId

    @field_validator("objective_id")
    @classmethod
    def _normalise_id(cls, value: str) -> str:
        value = value.strip().lower().lstrip("#")
        return f"obj-{value}" if value.isdigit() else value

    def objective_in(self, plan: Json) -> Json:
        for objective in plan["strategic_objectives"]:
            if objective["id"] == self.objective_id:
                return objective
        count = len(plan["strategic_objectives"])
        raise BadInput(
            f"there is no objective {self.objective_id.removeprefix('obj-')}; the plan has objectives 1-{count}"
        )


class AddObjective(Edit):
    """Add a strategic objective (a plan holds 3-5); it becomes the last one."""

    objective: str
    rationale: str
    owner: ObjectiveOwner
    priority: Priority
    success_metrics: list[SuccessMetric] = Field(min_length=1, max_length=4)
    quarterly_milestones: list[QuarterlyMilestone] = Field(
        description="At least one milestone per quarter Q1-Q4."
    )

    def apply(self, plan: Json) -> list[str]:
        objectives = plan["strategic_objectives"]
        if len(objectives) >= MAX_OBJECTIVES:
            raise BadInput(
                f"the plan already has {MAX_OBJECTIVES} objectives, the most a plan holds; "
                "remove or replace one first"
            )
        objectives.append({"id": f"obj-{len(objectives) + 1}", **self.model_dump(mode="json")})
        order_milestones(objectives[-1])
        renumber_objectives(plan)
        return []


class EditObjective(ObjectiveEdit):
    """Change an objective's wording, rationale, owner or priority (omitted fields stay)."""

    objective: str | None = None
    rationale: str | None = None
    owner: ObjectiveOwner | None = None
    priority: Priority | None = None

    def apply(self, plan: Json) -> list[str]:
        target = self.objective_in(plan)
        notes: list[str] = []
        renamed = bool(self.objective) and self.objective != target["objective"]
        if renamed and replace_in_summary(plan, target["objective"], self.objective or ""):
            notes.append("The executive summary now uses the new wording too.")
        target.update(self.model_dump(mode="json", exclude_none=True, exclude={"objective_id"}))
        return notes


def _retire(plan: Json, objective: Json, *, drop_summary: bool) -> list[str]:
    """What goes with an objective that leaves the plan: its milestone reminders in the 90-day plan
    are removed, its other actions kept but unlinked, and the summary stops listing it."""
    notes: list[str] = []
    actions = plan["action_plan_90day"]
    linked = [i for i, a in enumerate(actions) if a.get("objective_id") == objective["id"]]
    reminders = [
        i
        for i in linked
        if any(
            m["milestone"].lower() in actions[i]["action"].lower() for m in objective["quarterly_milestones"]
        )
    ]
    removed = remove_actions(plan, reminders)
    unlinked = 0
    for action in actions:
        if action.get("objective_id") == objective["id"]:
            action["objective_id"] = None
            unlinked += 1
    if removed:
        notes.append(
            f"Its {len(removed)} milestone reminder{'s' if len(removed) > 1 else ''} left the 90-day plan."
            if len(removed) > 1
            else "Its milestone reminder left the 90-day plan."
        )
    if unlinked:
        notes.append(
            f"{unlinked} of its actions stay{'s' if unlinked == 1 else ''} in the 90-day plan, no longer "
            "linked to an objective."
        )
    if drop_summary and drop_from_summary(plan, objective["objective"]):
        notes.append("The executive summary no longer lists it.")
    return notes


class RemoveObjective(ObjectiveEdit):
    """Remove an objective. The others are renumbered (obj-1..obj-N) and links follow; its
    milestone reminders leave the 90-day plan, its other actions stay unlinked; the summary stops
    listing it."""

    def apply(self, plan: Json) -> list[str]:
        target = self.objective_in(plan)
        objectives = plan["strategic_objectives"]
        if len(objectives) <= MIN_OBJECTIVES:
            raise BadInput(
                f"a plan needs at least {MIN_OBJECTIVES} objectives; add or replace one instead of removing it"
            )
        notes = _retire(plan, target, drop_summary=True)
        index = objectives.index(target)
        objectives.remove(target)
        shift_paths(plan, "strategic_objectives", index)
        renumber_objectives(plan)
        return notes


class ReplaceObjective(ObjectiveEdit):
    """Replace an objective with a new one in the same place (same number): new wording, metrics
    and milestones. The old one's milestone reminders leave the 90-day plan; its other actions stay,
    unlinked."""

    objective: str
    rationale: str
    owner: ObjectiveOwner
    priority: Priority
    success_metrics: list[SuccessMetric] = Field(min_length=1, max_length=4)
    quarterly_milestones: list[QuarterlyMilestone] = Field(
        description="At least one milestone per quarter Q1-Q4."
    )

    def apply(self, plan: Json) -> list[str]:
        target = self.objective_in(plan)
        notes: list[str] = []
        if replace_in_summary(plan, target["objective"], self.objective):
            notes.append("The executive summary now names the new objective.")
        notes += _retire(plan, target, drop_summary=False)
        target.update(self.model_dump(mode="json", exclude={"objective_id"}))
        order_milestones(target)
        return notes
