"""Editing a stored plan as a whole: a new revision, policy-checked; the approved version stays in
force until the new one is approved."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import BadInput, Conflict
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from storage.plans import SavedPlan, document_of, get_plan, save_plan_version
from tools.plans.identity import UserDirectory, resolve_actor
from tools.plans.lifecycle.parties import ownership_of
from tools.plans.lifecycle.transitions import check_surface
from tools.plans.policy import Actor, authorize


@dataclass(frozen=True)
class EditResult:
    saved: SavedPlan
    diff: list[str]


async def edit_plan(
    session: AsyncSession,
    plan_id: str,
    document: AccountPlanDocument,
    *,
    actor: str | Actor,
    surface: str,
    expected_version: int,
    reason: str = "edited",
    directory: UserDirectory | None = None,
) -> EditResult:
    """Replace the plan's document with an edited one, as a new revision (policy-checked).

    Editing an approved or active plan makes a new draft that needs approval again; the approved
    version stays the one in force (`approved_version`) meanwhile. An unchanged document saves nothing.
    """
    check_surface(surface, "edit")
    who = await resolve_actor(session, actor, directory)
    plan = await get_plan(session, plan_id)
    authorize("edit", who, await ownership_of(session, plan))
    if document.customer_id != plan.customer_id or document.fiscal_year != plan.fiscal_year:
        raise BadInput(
            "customer_id and fiscal_year identify the plan and cannot be changed "
            f"(this plan is {plan.customer_id} {plan.fiscal_year})"
        )
    if plan.version != expected_version:
        raise Conflict(
            f"you edited version {expected_version}, but the plan is now version {plan.version}; "
            "reload it and apply your change again"
        )
    before = document_of(plan)
    after = document.model_copy(
        update={
            "plan_id": plan.id,
            "status": before.status,
            "version": before.version,
            "approved_version": before.approved_version,
        }
    )
    if after.to_json_dict() == before.to_json_dict():
        # Saving an unchanged document must not demote an approved plan to a draft.
        return EditResult(saved=SavedPlan(plan=plan, document=before, created=False), diff=[])
    lines = diff_plans(before, after)
    saved = await save_plan_version(
        session,
        after,
        author=who.email,
        reason=reason,
        surface=surface,
        diff="\n".join(lines) or None,
        expected_version=expected_version,
    )
    return EditResult(saved=saved, diff=lines)
