"""Plan requests from a chat surface, each policy-checked in one transaction: drafting for a
customer, editing an objective from a form, submitting for approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from agent.review import review_finisher
from storage.db import Database
from storage.errors import NotFound
from storage.models import Customer
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan
from tools.plans.edits import EditMilestone, EditObjective, PlanEdit
from tools.plans.lifecycle import ownership_of, submit_for_approval
from tools.plans.policy import Actor, PlanOwnership, authorize
from tools.plans.revisions import save_edits


@dataclass(frozen=True)
class Submitted:
    title: str
    version: int
    reviewer: str | None


async def submit_plan(database: Database, plan_id: str, actor: Actor) -> Submitted:
    """draft -> pending_review on behalf of a Slack user (policy-checked by the lifecycle)."""
    async with database.session() as session:
        result = await submit_for_approval(session, plan_id, actor=actor, surface="slack")
    manager = result.manager_to_notify
    return Submitted(
        title=f"{result.customer_name} {result.plan.fiscal_year}",
        version=result.version,
        reviewer=manager.label if manager else None,
    )


async def check_may_generate(database: Database, actor: Actor, customer_id: str) -> None:
    """PermissionDenied (with the reason) unless `actor` may draft plans for this customer."""
    async with database.session() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        authorize("generate", actor, PlanOwnership(csm_email=customer.csm_email))


@dataclass(frozen=True)
class ObjectiveChange:
    objective: str
    priority: str
    milestones: dict[str, str]  # quarter -> new wording of its first milestone


async def edit_objective(
    database: Database,
    plan_id: str,
    *,
    base_version: int,
    objective_id: str,
    change: ObjectiveChange,
    actor: Actor,
    today: date,
    start_month: int,
) -> tuple[AccountPlanDocument, list[str]]:
    """The "Edit objective" form saved as one policy-checked, reviewed revision; returns the plan
    and its diff."""
    async with database.session() as session:
        plan = await get_plan(session, plan_id)
        authorize("edit", actor, await ownership_of(session, plan))
        current = document_of(plan)
        objective = next((o for o in current.strategic_objectives if o.id == objective_id), None)
        if objective is None:
            raise NotFound(f"the plan no longer has objective {objective_id}")
        # The form's words are validated by the edit models (an unknown priority is a clear error).
        edits: list[PlanEdit] = [
            EditObjective.model_validate(
                {"objective_id": objective_id, "objective": change.objective, "priority": change.priority}
            )
        ]
        firsts: dict[str, str] = {}
        for milestone in objective.quarterly_milestones:
            firsts.setdefault(milestone.quarter, milestone.milestone)
        for quarter, wording in change.milestones.items():
            if quarter in firsts and wording.strip() and wording.strip() != firsts[quarter]:
                edits.append(
                    EditMilestone.model_validate(
                        {
                            "objective_id": objective_id,
                            "quarter": quarter,
                            "match": firsts[quarter],
                            "milestone": wording.strip(),
                        }
                    )
                )
        result = await save_edits(
            session,
            plan_id,
            edits,
            actor=actor.email,
            surface="slack",
            # Grounding guards against model-invented figures; a CSM typing a target is the source.
            check=None,
            expected_version=base_version,
            reason=f"edited {objective_id} in Slack",
            finish=review_finisher(today=today, start_month=start_month),
        )
    return result.document, result.diff
