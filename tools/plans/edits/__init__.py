"""Typed edits to a stored plan, shared by the offline intent parser, the Claude revision agent's
tools and the Slack "Edit objective" form: one implementation of every change and its cascades.

Each edit is a pydantic model (its JSON Schema is the agent tool's input schema) that applies
itself to a plan's JSON and returns notes for the CSM about anything it did beyond the literal
request. `apply_edits` validates the whole document; `tools.plans.revisions` saves the result.

Modules: `base` (the model, finding items), `cascades` (the consistency rules), `objectives`,
`milestones` (milestones and success metrics), `actions`, `risks`, `qbrs`, `targets`
(stakeholder and expansion targets).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, ValidationError

from storage.errors import BadInput
from storage.plan_document import AccountPlanDocument, SectionName
from tools.plans.edits.actions import AddAction, EditAction, ReassignActions, RemoveAction
from tools.plans.edits.base import (
    MAX_METRICS,
    MAX_OBJECTIVES,
    MIN_OBJECTIVES,
    Edit,
    Json,
    PlanEditRejected,
    best_matches,
    text_score,
    validation_problems,
)
from tools.plans.edits.cascades import (
    PLACEHOLDER_MILESTONE,
    order_milestones,
    renumber_objectives,
    unlink_dangling_actions,
)
from tools.plans.edits.milestones import (
    AddMetric,
    AddMilestone,
    EditMetric,
    EditMilestone,
    RemoveMetric,
    RemoveMilestone,
)
from tools.plans.edits.objectives import AddObjective, EditObjective, RemoveObjective, ReplaceObjective
from tools.plans.edits.qbrs import EditQbrAttendees, RescheduleQbr, contact_names, resolve_contact
from tools.plans.edits.risks import AddRisk, EditRisk, MergeRisks, RemoveRisk
from tools.plans.edits.targets import EditRelationshipGoal, SetMultiThreadingTarget, SetTargetArr


class UpdateSection(Edit):
    """Replace one whole section with new content (validated against that section's schema)."""

    section: SectionName = Field(description="The section to replace.")
    content: Any = Field(description="The full new content of the section, in that section's shape.")

    def apply(self, plan: Json) -> list[str]:
        content = self.content
        # Models sometimes send a structured section as a JSON string; accept it, reject prose.
        if isinstance(content, str) and self.section != "executive_summary":
            try:
                content = json.loads(content)
            except ValueError as error:
                raise BadInput(f"{self.section} needs structured content in its schema, not text") from error
        plan[self.section] = content
        return []


PlanEdit = (
    UpdateSection | AddObjective | EditObjective | ReplaceObjective | RemoveObjective
    | AddMetric | EditMetric | RemoveMetric | AddMilestone | EditMilestone | RemoveMilestone
    | AddAction | EditAction | ReassignActions | RemoveAction
    | AddRisk | EditRisk | MergeRisks | RemoveRisk
    | RescheduleQbr | EditQbrAttendees
    | SetMultiThreadingTarget | EditRelationshipGoal | SetTargetArr
)  # fmt: skip

EDIT_TYPES: tuple[type[Edit], ...] = (
    UpdateSection, AddObjective, EditObjective, ReplaceObjective, RemoveObjective,
    AddMetric, EditMetric, RemoveMetric, AddMilestone, EditMilestone, RemoveMilestone,
    AddAction, EditAction, ReassignActions, RemoveAction,
    AddRisk, EditRisk, MergeRisks, RemoveRisk,
    RescheduleQbr, EditQbrAttendees,
    SetMultiThreadingTarget, EditRelationshipGoal, SetTargetArr,
)  # fmt: skip


@dataclass
class AppliedEdits:
    document: AccountPlanDocument
    notes: list[str] = field(default_factory=list[str])


def tidy(plan: Json) -> None:
    """The invariants every saved plan keeps, whoever edited it (a whole-section rewrite included):
    objectives numbered as shown, no action linked to a missing objective, milestones in order."""
    if isinstance(plan.get("strategic_objectives"), list) and isinstance(plan.get("action_plan_90day"), list):
        try:
            renumber_objectives(plan)
            unlink_dangling_actions(plan)
            for objective in plan["strategic_objectives"]:
                order_milestones(objective)
        except (KeyError, TypeError, AttributeError):
            pass  # malformed content: validation below names the problem


def apply_to_plan(data: Json, edits: Sequence[Edit]) -> list[str]:
    """Apply `edits` in order to a plan's JSON in place, then the invariants; returns the notes for
    the CSM. Raises BadInput when an edit cannot apply (the JSON may then be half-changed)."""
    notes: list[str] = []
    for edit in edits:
        notes += edit.apply(data) or []
    tidy(data)
    return notes


def validated(data: Json) -> AccountPlanDocument:
    """The plan JSON as a document; raises PlanEditRejected naming what is invalid."""
    try:
        return AccountPlanDocument.model_validate(data)
    except ValidationError as error:
        raise PlanEditRejected(validation_problems(error)) from error


def apply_edits_noted(document: AccountPlanDocument, edits: Sequence[Edit]) -> AppliedEdits:
    """The plan with `edits` applied in order, validated as a whole, with the notes the edits made
    for the CSM; raises PlanEditRejected (invalid result) or BadInput (cannot apply)."""
    data = document.to_json_dict()
    notes = apply_to_plan(data, edits)
    return AppliedEdits(validated(data), notes)


def apply_edits(document: AccountPlanDocument, edits: Sequence[Edit]) -> AccountPlanDocument:
    """The plan with `edits` applied in order, validated as a whole; raises PlanEditRejected."""
    return apply_edits_noted(document, edits).document


__all__ = [
    "EDIT_TYPES",
    "MAX_METRICS",
    "MAX_OBJECTIVES",
    "MIN_OBJECTIVES",
    "PLACEHOLDER_MILESTONE",
    "AddAction",
    "AddMetric",
    "AddMilestone",
    "AddObjective",
    "AddRisk",
    "AppliedEdits",
    "Edit",
    "EditAction",
    "EditMetric",
    "EditMilestone",
    "EditObjective",
    "EditQbrAttendees",
    "EditRelationshipGoal",
    "EditRisk",
    "MergeRisks",
    "PlanEdit",
    "PlanEditRejected",
    "ReassignActions",
    "RemoveAction",
    "RemoveMetric",
    "RemoveMilestone",
    "RemoveObjective",
    "RemoveRisk",
    "ReplaceObjective",
    "RescheduleQbr",
    "SetMultiThreadingTarget",
    "SetTargetArr",
    "UpdateSection",
    "apply_edits",
    "apply_edits_noted",
    "apply_to_plan",
    "best_matches",
    "contact_names",
    "resolve_contact",
    "text_score",
    "tidy",
    "validated",
    "validation_problems",
]
