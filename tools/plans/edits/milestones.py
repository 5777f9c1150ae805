"""Edits to an objective's quarterly milestones and success metrics.

A milestone move never swaps: the quarter it leaves gets a placeholder when nothing else is there
(every objective covers Q1-Q4), and the CSM is told. Milestones stay in quarter order. A reworded
milestone's quotes in the 90-day plan and QBR agendas follow; reminders of a milestone that moved
out of its quarter leave the 90-day plan.
"""

from __future__ import annotations

from pydantic import Field

from storage.errors import BadInput
from storage.plan_document import MetricValue, Quarter
from tools.plans.edits.base import MAX_METRICS, Json, objective_number, pick, shift_paths
from tools.plans.edits.cascades import (
    PLACEHOLDER_MILESTONE,
    actions_quoting,
    fill_empty_quarters,
    order_milestones,
    quoted,
    remove_actions,
    replace_figure,
    replace_in_summary,
    reword_everywhere,
)
from tools.plans.edits.objectives import ObjectiveEdit


class AddMilestone(ObjectiveEdit):
    """Add a milestone to an objective in a quarter (it replaces that quarter's placeholder, if any)."""

    quarter: Quarter
    milestone: str = Field(min_length=3)

    def apply(self, plan: Json) -> list[str]:
        objective = self.objective_in(plan)
        milestones = objective["quarterly_milestones"]
        milestones[:] = [
            m
            for m in milestones
            if not (m["quarter"] == self.quarter and m["milestone"] == PLACEHOLDER_MILESTONE)
        ]
        milestones.append({"quarter": self.quarter, "milestone": self.milestone, "done": False})
        order_milestones(objective)
        return []


class EditMilestone(ObjectiveEdit):
    """Reword, move to another quarter, or mark done a milestone of an objective. A move never
    swaps: if the milestone was its quarter's only one, that quarter gets a placeholder milestone
    (each objective needs Q1-Q4) and the reply says so."""

    quarter: Quarter | None = Field(default=None, description="The quarter the milestone is in now.")
    match: str | None = Field(default=None, description="Some of the milestone's text, to find it.")
    milestone: str | None = Field(default=None, description="New wording.")
    move_to: Quarter | None = None
    done: bool | None = None

    def apply(self, plan: Json) -> list[str]:
        objective = self.objective_in(plan)
        milestones = objective["quarterly_milestones"]
        item = milestones[self.locate(milestones)]
        notes: list[str] = []
        old_text = item["milestone"]
        if self.milestone and self.milestone != old_text:
            item["milestone"] = self.milestone
            reword_everywhere(plan, old_text, self.milestone)
        if self.done is not None:
            item["done"] = self.done
        if self.move_to and self.move_to != item["quarter"]:
            source = item["quarter"]
            item["quarter"] = self.move_to
            label = f"objective {objective_number(objective['id'])}"
            if fill_empty_quarters(objective):
                notes.append(
                    f"{source} of {label} had no other milestone, so it now has a placeholder "
                    f"({PLACEHOLDER_MILESTONE!r}); reword it when you know the {source} step."
                )
            # A "Q1 milestone due: ..." reminder is wrong once the milestone is not in Q1.
            stale = [
                i
                for i in actions_quoting(plan, item["milestone"], objective["id"])
                if source in plan["action_plan_90day"][i]["action"]
            ]
            removed = remove_actions(plan, stale)
            if removed:
                notes.append(
                    f"Removed the 90-day reminder {quoted(removed[0])}: it is no longer due in {source}."
                )
        order_milestones(objective)
        return notes

    def locate(self, milestones: list[Json]) -> int:
        in_quarter = [
            i for i, m in enumerate(milestones) if self.quarter is None or m["quarter"] == self.quarter
        ]
        label = f"objective {objective_number(self.objective_id)}"
        where = f"in {self.quarter}" if self.quarter else ""
        if not in_quarter:
            raise BadInput(f"{label} has no milestone {where}".strip())
        if self.match:
            found = pick([milestones[i] for i in in_quarter], "milestone", None, self.match, "milestone")
            return in_quarter[found]
        if len(in_quarter) == 1:
            return in_quarter[0]
        listed = "; ".join(quoted(milestones[i]["milestone"]) for i in in_quarter[:4])
        raise BadInput(f"{label} has {len(in_quarter)} milestones {where}: {listed}; say which by its text")


class RemoveMilestone(EditMilestone):
    """Remove a milestone (every quarter keeps at least one: reword it instead when it is alone)."""

    def apply(self, plan: Json) -> list[str]:
        objective = self.objective_in(plan)
        milestones = objective["quarterly_milestones"]
        index = self.locate(milestones)
        item = milestones[index]
        if sum(1 for m in milestones if m["quarter"] == item["quarter"]) == 1:
            raise BadInput(
                f"{quoted(item['milestone'])} is the only {item['quarter']} milestone of objective "
                f"{objective_number(objective['id'])}, and every quarter needs one; reword or move it instead"
            )
        del milestones[index]
        removed = remove_actions(plan, actions_quoting(plan, item["milestone"], objective["id"]))
        return [f"Removed its reminder {quoted(removed[0])} from the 90-day plan."] if removed else []


class AddMetric(ObjectiveEdit):
    """Add a success metric to an objective (at most 4 per objective)."""

    metric: str
    current: MetricValue = Field(description="Today's value from the account's data, or null.")
    target: MetricValue = Field(description="The value to reach by the end of the fiscal year.")
    measurement: str

    def apply(self, plan: Json) -> list[str]:
        metrics = self.objective_in(plan)["success_metrics"]
        if len(metrics) >= MAX_METRICS:
            raise BadInput(
                f"objective {objective_number(self.objective_id)} already has {MAX_METRICS} success metrics, "
                "the most it can hold; change or remove one first"
            )
        metrics.append(self.model_dump(mode="json", include={"metric", "current", "target", "measurement"}))
        return []


class EditMetric(ObjectiveEdit):
    """Change a success metric of an objective, found by its name (omitted fields stay). A new
    target also updates the objective's wording and milestones where they quote the old target."""

    metric: str = Field(description="Some of the metric's name, to find it.")
    new_name: str | None = None
    current: MetricValue = None
    target: MetricValue = None
    measurement: str | None = None

    def apply(self, plan: Json) -> list[str]:
        objective = self.objective_in(plan)
        metrics = objective["success_metrics"]
        index = pick(metrics, "metric", None, self.metric, "metric")
        item = metrics[index]
        old_target = item.get("target")
        changes = self.model_dump(
            mode="json", exclude_none=True, include={"current", "target", "measurement"}
        )
        if self.new_name:
            changes["metric"] = self.new_name
        item.update(changes)
        if self.target is not None and old_target is not None and str(old_target) != str(self.target):
            _follow_target(plan, objective, str(old_target), str(self.target))  # the diff shows what followed
        return []


def _follow_target(plan: Json, objective: Json, old: str, new: str) -> bool:
    """Where the objective's title or milestones quote a target figure like '70%', use the new one."""
    if not any(c.isdigit() for c in old) or ("%" in old) != ("%" in new):
        return False
    changed = False
    title = replace_figure(objective["objective"], old, new)
    if title != objective["objective"]:
        replace_in_summary(plan, objective["objective"], title)
        objective["objective"] = title
        changed = True
    for milestone in objective["quarterly_milestones"]:
        text = replace_figure(milestone["milestone"], old, new)
        if text != milestone["milestone"]:
            reword_everywhere(plan, milestone["milestone"], text)
            milestone["milestone"] = text
            changed = True
    return changed


class RemoveMetric(ObjectiveEdit):
    """Remove a success metric from an objective (each objective keeps at least one)."""

    metric: str = Field(description="Some of the metric's name, to find it.")

    def apply(self, plan: Json) -> list[str]:
        objective = self.objective_in(plan)
        metrics = objective["success_metrics"]
        index = pick(metrics, "metric", None, self.metric, "metric")
        if len(metrics) == 1:
            raise BadInput(
                f"{quoted(metrics[0]['metric'])} is objective {objective_number(objective['id'])}'s only "
                "success metric; change it instead of removing it"
            )
        del metrics[index]
        position = plan["strategic_objectives"].index(objective)
        shift_paths(plan, f"strategic_objectives[{position}].success_metrics", index)
        return []
