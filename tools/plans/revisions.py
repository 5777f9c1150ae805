"""Saving edited plans as revisions: the caller's grounding check, one new revision with its diff,
all-or-nothing (the caller's transaction)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import Conflict
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan
from tools.plans import lifecycle
from tools.plans.edits import PlanEdit, PlanEditRejected, apply_edits

# (plan before, plan after) -> problems; empty means the change is grounded in the account's data.
GroundingCheck = Callable[[AccountPlanDocument, AccountPlanDocument], list[str]]
# The last step before a revision is stored (the agent layer passes the plan review here, so every
# saved revision carries a review of itself); gets the caller's session and the edited document.
Finisher = Callable[[AsyncSession, AccountPlanDocument], Awaitable[AccountPlanDocument]]


class EditResult(BaseModel):
    """What a saved edit did: the new document, its diff lines, and whether anything changed."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    document: AccountPlanDocument
    diff: list[str]
    version: int
    changed: bool


async def read_plan(session: AsyncSession, plan_id: str) -> AccountPlanDocument:
    return document_of(await get_plan(session, plan_id))


async def save_revision(
    session: AsyncSession,
    plan_id: str,
    document: AccountPlanDocument,
    *,
    base_version: int,
    actor: str,
    surface: str,
    reason: str,
    check: GroundingCheck | None,
    finish: Finisher | None = None,
) -> EditResult:
    """Store `document` as the next revision of a plan last seen at `base_version`.

    Raises Conflict when someone saved a newer version meanwhile, PlanEditRejected when the
    grounding check finds problems, PermissionDenied when `actor` may not edit this plan. An
    unchanged document saves nothing.
    """
    plan = await get_plan(session, plan_id)
    if plan.version != base_version:
        raise Conflict(
            f"the plan changed while you were editing it (you had version {base_version}, it is now at "
            f"{plan.version}); reload it and try again"
        )
    before = document_of(plan)
    after = document.model_copy(update={"status": before.status, "version": before.version})
    problems = check(before, after) if check else []
    if problems:
        raise PlanEditRejected(problems)
    diff = diff_plans(before, after)
    if not diff:
        return EditResult(document=before, diff=[], version=before.version, changed=False)
    if finish is not None:
        after = await finish(session, after)
    # The lifecycle owns who may edit and what an edit does to the plan's status.
    edited = await lifecycle.edit_plan(
        session, plan_id, after, actor=actor, surface=surface, expected_version=base_version, reason=reason
    )
    saved = edited.saved
    return EditResult(document=saved.document, diff=diff, version=saved.document.version, changed=True)


async def save_edits(
    session: AsyncSession,
    plan_id: str,
    edits: list[PlanEdit],
    *,
    actor: str,
    surface: str,
    check: GroundingCheck | None,
    expected_version: int | None = None,
    reason: str | None = None,
    finish: Finisher | None = None,
) -> EditResult:
    """Apply `edits` to the stored plan and save them as one new revision (the Slack modal's path)."""
    plan = await get_plan(session, plan_id)
    base = expected_version if expected_version is not None else plan.version
    edited = apply_edits(document_of(plan), edits)
    return await save_revision(
        session, plan_id, edited, base_version=base, actor=actor, surface=surface, reason=reason or "edited",
        check=check, finish=finish,
    )  # fmt: skip
