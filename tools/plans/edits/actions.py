"""Edits to the 90-day action plan: add, change (reword, reassign, move to another week, mark done,
snooze), reassign a whole week, remove. An action's week and due date always agree."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from storage.errors import BadInput
from storage.plan_document import ActionStatus
from tools.plans.edits.base import Edit, Json, pick, shift_paths
from tools.plans.edits.cascades import due_for_week, week_for_due

LAST_WEEK = 13


def _objective_ref(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    return f"obj-{value}" if value.isdigit() else value


def _check_objective(plan: Json, objective_id: str | None) -> None:
    if objective_id and objective_id not in {o["id"] for o in plan["strategic_objectives"]}:
        raise BadInput(
            f"there is no objective {objective_id.removeprefix('obj-')}; "
            f"the plan has objectives 1-{len(plan['strategic_objectives'])}"
        )


def _week_of(plan: Json, due: date) -> int:
    week = week_for_due(plan["action_plan_90day"], due)
    if not 1 <= week <= LAST_WEEK:
        raise BadInput(f"{due.isoformat()} is outside the 90-day plan (weeks 1-{LAST_WEEK})")
    return week


class ItemRef(Edit):
    number: int | None = Field(default=None, ge=1, description="Its position in the list, from 1.")
    match: str | None = Field(default=None, description="Some of its text, to find it.")


class AddAction(Edit):
    """Add an action to the 90-day plan; its due date defaults to the end of its week."""

    action: str = Field(min_length=3)
    owner: str
    week: int = Field(ge=1, le=LAST_WEEK)
    due_date: date | None = None
    objective_id: str | None = Field(default=None, description="The objective it serves, e.g. 'obj-2'.")

    @field_validator("objective_id")
    @classmethod
    def _objective(cls, value: str | None) -> str | None:
        return _objective_ref(value)

    def apply(self, plan: Json) -> list[str]:
        _check_objective(plan, self.objective_id)
        due = self.due_date or due_for_week(plan["action_plan_90day"], self.week)
        item = self.model_dump(mode="json", exclude={"due_date"})
        plan["action_plan_90day"].append({**item, "due_date": due.isoformat(), "status": "open"})
        return []


class EditAction(ItemRef):
    """Change an action in the 90-day plan: wording, owner (reassign), week (its due date follows),
    due date (its week follows), the objective it serves, or status (done, snoozed, open)."""

    action: str | None = None
    owner: str | None = None
    week: int | None = Field(default=None, ge=1, le=LAST_WEEK)
    due_date: date | None = None
    objective_id: str | None = None
    status: ActionStatus | None = None

    @field_validator("objective_id")
    @classmethod
    def _objective(cls, value: str | None) -> str | None:
        return _objective_ref(value)

    def apply(self, plan: Json) -> list[str]:
        actions = plan["action_plan_90day"]
        item = actions[pick(actions, "action", self.number, self.match, "action")]
        _check_objective(plan, self.objective_id)
        changes = self.model_dump(mode="json", exclude_none=True, exclude={"number", "match"})
        if self.week is not None and self.due_date is None and self.week != item["week"]:
            changes["due_date"] = due_for_week(actions, self.week).isoformat()
        if self.due_date is not None and self.week is None:
            changes["week"] = _week_of(plan, self.due_date)
        item.update(changes)
        return []


class ReassignActions(Edit):
    """Give every action of one week (or every action of one owner) to a new owner."""

    week: int | None = Field(default=None, ge=1, le=LAST_WEEK, description="The week whose actions move.")
    from_owner: str | None = Field(default=None, description="Only actions owned by this owner.")
    owner: str = Field(description="The new owner.")
    include_done: bool = Field(default=False, description="Also reassign actions already done.")

    def apply(self, plan: Json) -> list[str]:
        if self.week is None and not self.from_owner:
            raise BadInput("say whose actions to reassign: a week, or their current owner")
        chosen = [
            a
            for a in plan["action_plan_90day"]
            if (self.week is None or a["week"] == self.week)
            and (not self.from_owner or a["owner"].lower() == self.from_owner.strip().lower())
            and (self.include_done or a.get("status") != "done")
        ]
        if not chosen:
            weeks = sorted({a["week"] for a in plan["action_plan_90day"]})
            what = f"week {self.week}" if self.week is not None else f"owned by {self.from_owner}"
            raise BadInput(
                f"the 90-day plan has no open actions {what}; it has actions in weeks "
                + ", ".join(str(w) for w in weeks)
            )
        for action in chosen:
            action["owner"] = self.owner
        return []


class RemoveAction(ItemRef):
    """Remove an action from the 90-day plan (the plan keeps at least one)."""

    def apply(self, plan: Json) -> list[str]:
        actions = plan["action_plan_90day"]
        index = pick(actions, "action", self.number, self.match, "action")
        if len(actions) == 1:
            raise BadInput("it is the 90-day plan's only action; change it instead of removing it")
        del actions[index]
        shift_paths(plan, "action_plan_90day", index)
        return []
