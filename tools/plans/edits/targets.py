"""Edits to account-level targets: the stakeholder multi-threading target, a contact's relationship
goal, and the expansion plan's target ARR (which must stay between the current ARR and the ARR
plus the whole pipeline: the grounding check says so when it does not)."""

from __future__ import annotations

from pydantic import Field

from storage.errors import BadInput
from storage.plan_document import Score
from tools.plans.edits.base import Edit, Json
from tools.plans.edits.qbrs import resolve_contact


class SetMultiThreadingTarget(Edit):
    """Set how many engaged contacts the stakeholder plan aims for (its multi-threading target)."""

    target: int = Field(ge=1, le=50, description="Number of engaged contacts to reach.")

    def apply(self, plan: Json) -> list[str]:
        plan["stakeholder_plan"]["multi_threading_target"] = self.target
        contacts = len(plan["stakeholder_plan"]["current_map"])
        if self.target > contacts:
            return [
                f"That is more than the {contacts} contacts on record, so it means finding "
                f"{self.target - contacts} new one{'s' if self.target - contacts > 1 else ''}."
            ]
        return []


class EditRelationshipGoal(Edit):
    """Change the relationship goal for a contact on record: target score and/or strategy."""

    name: str = Field(description="The contact's name (a unique first name is enough).")
    target_score: Score | None = None
    strategy: str | None = None

    def apply(self, plan: Json) -> list[str]:
        person = resolve_contact(plan, self.name)
        goals = plan["stakeholder_plan"]["relationship_goals"]
        goal = next((g for g in goals if g["name"] == person), None)
        if goal is None:
            named = ", ".join(g["name"] for g in goals) or "nobody"
            raise BadInput(f"the stakeholder plan has relationship goals for {named}, not for {self.name}")
        if self.target_score is not None:
            if self.target_score < goal["current_score"]:
                raise BadInput(
                    f"{person}'s relationship score is {goal['current_score']} today; a goal below that is a decline"
                )
            goal["target_score"] = self.target_score
        if self.strategy:
            goal["strategy"] = self.strategy
        return []


class SetTargetArr(Edit):
    """Set the expansion plan's target ARR for the fiscal year (in dollars)."""

    target_arr: float = Field(ge=0, description="Target ARR in dollars, e.g. 320000.")

    def apply(self, plan: Json) -> list[str]:
        expansion = plan["expansion_plan"]
        if self.target_arr < expansion["current_arr"]:
            raise BadInput(
                f"a target ARR of ${self.target_arr:,.0f} is below today's ${expansion['current_arr']:,.0f}"
            )
        expansion["target_arr"] = self.target_arr
        return []
